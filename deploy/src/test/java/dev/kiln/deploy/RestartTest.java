package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At-least-once across a restart: Kiln is stopped while jobs are still unread on kiln.jobs
 * (a small in-flight bound and one worker keep most of them there), started again on the
 * same broker data, and every job ends with a result; no job is answered twice with
 * different content.
 */
class RestartTest {
    @TempDir
    Path data;

    private KilnConfig config() {
        return KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.WORKERS.name(), "1",
                KilnConfig.KAFKA_MAX_IN_FLIGHT.name(), "2",
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "20000",
                KilnConfig.ROUTING_CALIBRATE.name(), "false"));
    }

    @Test
    void everyJobIsAnsweredAcrossARestart() throws Exception {
        int jobs = 30;
        Set<String> ids = new HashSet<>();
        KilnService first = KilnService.start(config());
        try {
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(first.bootstrapServers())) {
                for (int i = 0; i < jobs; i++) {
                    String id = "restart-" + i;
                    ids.add(id);
                    byte[] job = KafkaEndToEndTest.linear(id, "{\"generator\":\"poisson2d\",\"nx\":" + (40 + i) + "}", 1e-9);
                    p.send(KafkaClients.jobRecord("family", id, job));
                }
                p.flush();
            }
            // Let a few finish, then stop with the rest unread or in flight.
            try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(first.bootstrapServers(), KilnTopics.RESULTS)) {
                List<ConsumerRecord<byte[], byte[]>> some = KafkaClients.readUntil(c, all -> all.size() >= 3, Duration.ofMinutes(2));
                assertTrue(some.size() >= 3, "the first run answered some jobs");
                assertTrue(some.size() < jobs, "the first run must stop with work left, or the test shows nothing");
            }
        } finally {
            first.close();
        }

        KilnService second = KilnService.start(config());
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(second.bootstrapServers(), KilnTopics.RESULTS)) {
            Set<String> seen = new HashSet<>();
            List<ConsumerRecord<byte[], byte[]>> all = KafkaClients.readUntil(c, rs -> {
                for (ConsumerRecord<byte[], byte[]> r : rs) seen.add(KafkaClients.json(r.value()).path("id").asText());
                return seen.containsAll(ids);
            }, Duration.ofMinutes(3));
            all.addAll(KafkaClients.readUntil(c, rs -> false, Duration.ofSeconds(2)));
            Map<String, JsonNode> firstResult = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : all) {
                JsonNode res = KafkaClients.json(r.value());
                String id = res.path("id").asText();
                assertEquals("succeeded", res.path("status").asText(), id);
                JsonNode prev = firstResult.putIfAbsent(id, res);
                if (prev != null) {
                    // At-least-once may repeat an answer; it must be a correct one too (iterations may differ when
                    // the second run starts from learned state the first one did not have).
                    assertTrue(res.path("converged").asBoolean() && res.path("residualNorm").asDouble(1) <= 1e-9,
                            id + " answered again, not correctly: " + res);
                }
            }
            assertEquals(ids, firstResult.keySet(), "every job has a result after the restart");
        } finally {
            second.close();
        }
    }
}
