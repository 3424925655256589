package dev.kiln.runtime.config;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KilnConfigTest {

    @Test
    void defaultsHoldEveryDocumentedKey() {
        KilnConfig c = KilnConfig.defaults();
        for (ConfigKey k : KilnConfig.KEYS) assertEquals(k.defaultValue(), c.get(k), k.name());
        assertEquals(256, c.getInt(KilnConfig.QUEUE_CAPACITY));
    }

    @Test
    void explicitSettingOverridesItsDefault() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.queue.capacity", "2", "kiln.workers", "1"));
        assertEquals(2, c.getInt(KilnConfig.QUEUE_CAPACITY));
        assertEquals(1, c.getInt(KilnConfig.WORKERS));
        assertEquals(10_000, c.getInt(KilnConfig.STORE_MAX_FINISHED));
    }

    @Test
    void unknownCoreKeyIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KilnConfig.of(Map.of("kiln.queue.capacty", "2")));
        assertTrue(e.getMessage().contains("kiln.queue.capacty"), e.getMessage());
    }

    @Test
    void misspeltSingleWordCoreKeyIsRejected() {
        // kiln.<backend>.* keys have a second dot; "kiln.workerz" can only be a misspelt kiln.workers.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KilnConfig.of(Map.of("kiln.workerz", "4")));
        assertTrue(e.getMessage().contains("kiln.workerz"), e.getMessage());
    }

    @Test
    void everyUnknownCoreKeyIsListed() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kiln.http.prot", "1");
        s.put("kiln.store.ttl", "1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KilnConfig.of(s));
        assertTrue(e.getMessage().contains("kiln.http.prot") && e.getMessage().contains("kiln.store.ttl"), e.getMessage());
    }

    @Test
    void backendKeysPassThrough() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.cpu.x", "7", "kiln.opencl.device", "1"));
        assertEquals("7", c.asMap().get("kiln.cpu.x"));
        assertEquals("1", c.asMap().get("kiln.opencl.device"));
    }

    @Test
    void kafkaClientPropertiesPassThrough() {
        // Documented (docs/ARCHITECTURE.md, KilnService): kiln.kafka.client.<property> goes to the Kafka clients.
        KilnConfig c = KilnConfig.of(Map.of("kiln.kafka.client.security.protocol", "SASL_SSL"));
        assertEquals("SASL_SSL", c.asMap().get("kiln.kafka.client.security.protocol"));
    }

    @Test
    void embeddedBrokerPropertiesPassThrough() {
        // kiln.kafka.broker.<property> goes to the embedded broker (KilnService); a misspelt core key still fails.
        KilnConfig c = KilnConfig.of(Map.of("kiln.kafka.broker.num.io.threads", "2"));
        assertEquals("2", c.asMap().get("kiln.kafka.broker.num.io.threads"));
        assertThrows(IllegalArgumentException.class, () -> KilnConfig.of(Map.of("kiln.kafka.brokers.num.io.threads", "2")));
    }

    @Test
    void keysOutsideKilnPassThrough() {
        assertEquals("x", KilnConfig.of(Map.of("other.setting", "x")).asMap().get("other.setting"));
    }

    @Test
    void getIntOfANonNumberNamesTheKey() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.workers", "many"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getInt(KilnConfig.WORKERS));
        assertTrue(e.getMessage().contains("kiln.workers"), e.getMessage());
        assertTrue(e.getMessage().contains("many"), e.getMessage());
    }

    @Test
    void getIntOfANumberBeyondIntRangeNamesTheKey() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.queue.capacity", "3000000000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getInt(KilnConfig.QUEUE_CAPACITY));
        assertTrue(e.getMessage().contains("kiln.queue.capacity"), e.getMessage());
    }

    @Test
    void getLongOfANonNumberNamesTheKey() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.store.ttl-ms", "1h"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getLong(KilnConfig.STORE_TTL_MS));
        assertTrue(e.getMessage().contains("kiln.store.ttl-ms"), e.getMessage());
    }

    @Test
    void numbersMayCarrySurroundingWhitespace() {
        assertEquals(4, KilnConfig.of(Map.of("kiln.workers", " 4 ")).getInt(KilnConfig.WORKERS));
    }

    @Test
    void withChangesOneSettingInACopy() {
        KilnConfig base = KilnConfig.defaults();
        KilnConfig changed = base.with(KilnConfig.WORKERS, "3");
        assertEquals(3, changed.getInt(KilnConfig.WORKERS));
        assertEquals(0, base.getInt(KilnConfig.WORKERS));
    }

    @Test
    void settingsMapIsReadOnly() {
        assertThrows(UnsupportedOperationException.class, () -> KilnConfig.defaults().asMap().put("kiln.workers", "9"));
    }

    @Test
    void booleanSettingIsTrueOrFalseElseAnErrorNamingTheKey() {
        assertTrue(KilnConfig.defaults().getBoolean(KilnConfig.ROUTING_LATE_BINDING));
        assertEquals(false, KilnConfig.of(Map.of("kiln.routing.late-binding", " false ")).getBoolean(KilnConfig.ROUTING_LATE_BINDING));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KilnConfig.of(Map.of("kiln.routing.late-binding", "yes")).getBoolean(KilnConfig.ROUTING_LATE_BINDING));
        assertTrue(e.getMessage().contains("kiln.routing.late-binding") && e.getMessage().contains("'yes'"), e.getMessage());
    }
}
