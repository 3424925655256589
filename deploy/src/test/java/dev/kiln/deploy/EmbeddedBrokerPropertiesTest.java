package dev.kiln.deploy;

import dev.kiln.runtime.config.KilnConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code kiln.kafka.broker.<property>} reaches the embedded broker as {@code <property>}; nothing else does. */
class EmbeddedBrokerPropertiesTest {
    @Test
    void onlyTheBrokerPrefixPassesAndLosesItsPrefix() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.kafka.broker.num.io.threads", "3",
                "kiln.kafka.client.linger.ms", "7", "kiln.workers", "2"));
        assertEquals(Map.of("num.io.threads", "3"), KilnService.embeddedBrokerProperties(c));
    }
}
