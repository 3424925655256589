package dev.kiln.deploy.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.deploy.KilnService;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input through the real edges (issue 9): a few hundred documents of the
 * {@link HostileJobGenerator} published to {@code kiln.jobs} on a real broker, and POSTed to
 * the real HTTP API. Every Kafka message gets exactly one result (matched by its
 * {@code correlation-id}), rejected ones are dead-lettered, and a valid job sent after them
 * on every partition is still answered (no partition stalls). Over HTTP each document gets a
 * JSON answer with a 2xx or 4xx status and an error code — never a 5xx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
    private static final int MESSAGES = 300;
    private static final int MAX_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "hostile-test-key-0123456789";

    private KilnService kiln;

    @BeforeAll
    void start(@TempDir Path data) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put(KilnConfig.KAFKA_PORT.name(), "0");
        s.put(KilnConfig.HTTP_PORT.name(), "0");
        s.put(KilnConfig.HTTP_HOST.name(), "127.0.0.1");
        s.put(KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString());
        s.put(KilnConfig.MAX_MESSAGE_BYTES.name(), Integer.toString(MAX_BYTES));
        s.put(KilnConfig.MAX_UNKNOWNS.name(), "100000");
        s.put(KilnConfig.MAX_NONZEROS.name(), "1000000");
        s.put(KilnConfig.ROUTING_CALIBRATE.name(), "false");
        s.put(KilnConfig.HTTP_API_KEYS.name(), KEY);
        s.put(KilnConfig.HTTP_RATE_LIMIT.name(), "0");
        s.put(KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000");
        kiln = KilnService.start(KilnConfig.of(s));
    }

    @AfterAll
    void stop() {
        if (kiln != null) kiln.close();
    }

    private HostileJobGenerator generator(long seed) {
        String ref = kiln.runtime().matrices().put(PoissonGenerator.poisson2d(3, 3, 0, null));
        return new HostileJobGenerator(seed, MAX_BYTES, ref);
    }

    @Test
    void everyHostileKafkaMessageIsAnsweredOnceAndNoPartitionStalls() throws Exception {
        String bootstrap = kiln.bootstrapServers();
        HostileJobGenerator gen = generator(9);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * MAX_BYTES),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < MESSAGES; i++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, ("k" + i % 7).getBytes(StandardCharsets.UTF_8),
                        gen.next().bytes());
                r.headers().add(KafkaHeaders.CORRELATION_ID, ("h-" + i).getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            // After the hostile stream, one valid job on every partition: answered only if no partition stalled.
            int partitions = p.partitionsFor(KilnTopics.JOBS).size();
            for (int part = 0; part < partitions; part++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, part, null,
                        ("{\"id\":\"canary-" + part + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":8}}}")
                                .getBytes(StandardCharsets.UTF_8));
                r.headers().add(KafkaHeaders.CORRELATION_ID, ("canary-" + part).getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();

            Map<String, List<JsonNode>> byCorrelation = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = reader(bootstrap, KilnTopics.RESULTS)) {
                long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (byCorrelation.size() < MESSAGES + partitions && System.nanoTime() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        Header h = r.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
                        String corr = h == null ? "(none)" : new String(h.value(), StandardCharsets.UTF_8);
                        byCorrelation.computeIfAbsent(corr, k -> new ArrayList<>()).add(JSON.readTree(r.value()));
                    }
                }
                // Late repeats would show here.
                long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < settle) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        Header h = r.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
                        byCorrelation.computeIfAbsent(h == null ? "(none)" : new String(h.value(), StandardCharsets.UTF_8),
                                k -> new ArrayList<>()).add(JSON.readTree(r.value()));
                    }
                }
            }
            int deadLetters = count(bootstrap, KilnTopics.DEAD_LETTER);
            Map<String, Integer> statuses = new TreeMap<>();
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                List<JsonNode> rs = byCorrelation.getOrDefault("h-" + i, List.of());
                if (rs.size() != 1) {
                    wrong.add("h-" + i + ": " + rs.size() + " results");
                    continue;
                }
                JsonNode res = rs.get(0);
                statuses.merge(res.path("status").asText(), 1, Integer::sum);
                if (res.path("status").asText().equals("rejected") && res.path("error").path("code").asText().isEmpty()) {
                    wrong.add("h-" + i + ": rejected without a code: " + res);
                }
            }
            for (int part = 0; part < partitions; part++) {
                List<JsonNode> rs = byCorrelation.getOrDefault("canary-" + part, List.of());
                if (rs.size() != 1 || !rs.get(0).path("status").asText().equals("succeeded")) {
                    wrong.add("canary-" + part + " after the hostile stream: " + rs);
                }
            }
            System.out.printf("FUZZ kafka messages=%d answered=%d dead_letters=%d statuses=%s failures=%d%n",
                    MESSAGES, byCorrelation.size() - partitions, deadLetters, statuses, wrong.size());
            assertEquals(List.of(), wrong);
            assertTrue(statuses.getOrDefault("rejected", 0) > MESSAGES / 2, "most hostile messages are rejected: " + statuses);
            assertTrue(deadLetters > 0 && deadLetters <= statuses.getOrDefault("rejected", 0),
                    "rejected messages are dead-lettered: " + deadLetters + " for " + statuses);
        }
    }

    @Test
    void everyHostileHttpRequestGetsAJsonClientErrorOrAJobNeverA5xx() throws Exception {
        HostileJobGenerator gen = generator(10);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v1/jobs");
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            HostileJobGenerator.Hostile h = gen.next();
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(h.bytes())).build();
            HttpResponse<String> res;
            try {
                res = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // A body over the limit may be refused before it is all sent; the server closes.
                if (h.bytes().length > MAX_BYTES) {
                    byStatus.merge(-1, 1, Integer::sum);
                    continue;
                }
                wrong.add("#" + i + " " + e + " :: " + h.preview());
                continue;
            }
            byStatus.merge(res.statusCode(), 1, Integer::sum);
            String problem = judge(res);
            if (problem != null) wrong.add("#" + i + " " + problem + " :: " + h.preview());
        }
        System.out.printf("FUZZ http requests=%d by_status=%s failures=%d%n", MESSAGES, byStatus, wrong.size());
        assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " failures");
        assertTrue(byStatus.getOrDefault(400, 0) > MESSAGES / 2, "most hostile requests are refused: " + byStatus);
    }

    /** Null when the answer is acceptable for a hostile document. */
    private static String judge(HttpResponse<String> res) {
        int s = res.statusCode();
        if (s >= 500) return "server error " + s + ": " + res.body();
        JsonNode body;
        try {
            body = JSON.readTree(res.body());
        } catch (IOException e) {
            return "status " + s + " with a body that is not JSON: " + res.body();
        }
        if (s == 200 || s == 202) return body.hasNonNull("id") ? null : "accepted without an id: " + body;
        if (s == 400 || s == 413) {
            return body.path("error").path("code").asText().isEmpty() ? "status " + s + " without an error code: " + body : null;
        }
        return "unexpected status " + s + ": " + body;
    }

    private static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(pi -> new TopicPartition(topic, pi.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private static int count(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = reader(bootstrap, topic)) {
            Set<TopicPartition> parts = c.assignment();
            Map<TopicPartition, Long> endOffsets = c.endOffsets(parts);
            return (int) endOffsets.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
