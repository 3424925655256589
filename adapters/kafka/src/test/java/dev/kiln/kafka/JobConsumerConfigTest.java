package dev.kiln.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What Kiln's job consumer is configured with, read back through Kafka's own ConsumerConfig. */
class JobConsumerConfigTest {
    private static ConsumerConfig configOf(Map<String, Object> clientProperties) {
        KafkaSettings s = new KafkaSettings("127.0.0.1:9092", "kiln", 3, 64, 1_000, clientProperties);
        return new ConsumerConfig(KafkaJobAdapter.consumerConfig(s));
    }

    @Test
    void fetchesWaitAFewMillisecondsForSeveralJobsByDefault() {
        ConsumerConfig c = configOf(Map.of());
        assertEquals(8_192, c.getInt(ConsumerConfig.FETCH_MIN_BYTES_CONFIG));
        assertEquals(5, c.getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
    }

    @Test
    void clientPropertiesOverrideTheFetchDefaults() {
        ConsumerConfig c = configOf(Map.of(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "0"));
        assertEquals(1, c.getInt(ConsumerConfig.FETCH_MIN_BYTES_CONFIG));
        assertEquals(0, c.getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
    }

    @Test
    void clientPropertiesCannotTurnOffWhatDeliveryDependsOn() {
        ConsumerConfig c = configOf(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted", ConsumerConfig.GROUP_ID_CONFIG, "other",
                "security.protocol", "PLAINTEXT"));
        assertFalse(c.getBoolean(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals("read_committed", c.getString(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertEquals("kiln", c.getString(ConsumerConfig.GROUP_ID_CONFIG));
        assertEquals("PLAINTEXT", c.getString("security.protocol"));
        assertEquals(64, c.getInt(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
    }
}
