package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Train jobs end to end through a real Kafka broker and the whole service: an Adam job lands
 * on the CPU backend, a TNGD job on the thermodynamic backend (found by ServiceLoader); both
 * succeed with their answers, and their per-step loss reaches kiln.progress.
 */
class TrainJobsKafkaTest {
    @TempDir
    static Path data;
    static KilnService kiln;

    @BeforeAll
    static void start() throws Exception {
        kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                "kiln.progress.interval-ms", "1",
                "kiln.progress.first-after-ms", "0", // two epochs of digits may end within the default 10 ms
                KilnConfig.WORKERS.name(), "2")));
    }

    @AfterAll
    static void stop() {
        if (kiln != null) kiln.close();
    }

    private static byte[] job(String id, String options) {
        return ("{\"id\":\"" + id + "\",\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},"
                + "\"dataset\":{\"name\":\"digits\"},\"loss\":\"cross-entropy\"},\"options\":" + options + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void adamAndTngdJobsTrainOnTheirBackendsAndStreamProgress() {
        Map<String, byte[]> jobs = Map.of(
                "kafka-train-adam", job("kafka-train-adam", "{\"optimizer\":\"adam\",\"epochs\":2,\"learningRate\":0.01}"),
                "kafka-train-tngd", job("kafka-train-tngd", "{\"optimizer\":\"tngd\",\"epochs\":1,\"analogTime\":2}"));
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kiln.bootstrapServers())) {
            for (var e : jobs.entrySet()) {
                p.send(KafkaClients.jobRecord(e.getKey(), e.getKey(), e.getValue()));
            }
            p.flush();
        }
        Map<String, JsonNode> results = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(kiln.bootstrapServers(), KilnTopics.RESULTS)) {
            for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readUntil(c, all -> all.size() >= 2, Duration.ofMinutes(3))) {
                JsonNode j = KafkaClients.json(r.value());
                results.put(j.path("id").asText(), j);
            }
        }
        JsonNode adam = results.get("kafka-train-adam");
        assertNotNull(adam, "adam result: " + results.keySet());
        assertEquals("succeeded", adam.path("status").asText(), adam.toString());
        assertEquals("cpu", adam.path("backend").asText());
        assertEquals(3, adam.path("answer").path("history").size());
        assertTrue(adam.path("answer").path("testAccuracy").asDouble() > 0.85, adam.toString());

        JsonNode tngd = results.get("kafka-train-tngd");
        assertNotNull(tngd, "tngd result: " + results.keySet());
        assertEquals("succeeded", tngd.path("status").asText(), tngd.toString());
        assertEquals("thermodynamic", tngd.path("backend").asText());
        assertTrue(tngd.path("cost").path("hardwareSeconds").asDouble() > 0, tngd.toString());
        assertTrue(tngd.path("answer").has("energyJoulesHigh"), tngd.toString());

        List<ConsumerRecord<byte[], byte[]>> progress;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(kiln.bootstrapServers(), KilnTopics.PROGRESS)) {
            progress = KafkaClients.readUntil(c, all -> all.stream().map(r -> KafkaClients.json(r.value()).path("id").asText())
                    .distinct().filter(jobs::containsKey).count() == 2, Duration.ofMinutes(1));
        }
        for (String id : jobs.keySet()) {
            assertTrue(progress.stream().map(r -> KafkaClients.json(r.value())).anyMatch(j -> j.path("id").asText().equals(id)
                    && j.path("iteration").asInt() >= 1 && j.path("residual").asDouble() > 0), "progress of " + id);
        }
    }
}
