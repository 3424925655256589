package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Plain Kafka clients as a user's program would use them (test support). */
final class KafkaClients {
    static final ObjectMapper JSON = new ObjectMapper();

    private KafkaClients() { }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A job record for {@code kiln.jobs} as a user's producer sends it: the given key, the job's id in the job-id header. */
    static ProducerRecord<byte[], byte[]> jobRecord(String key, String id, byte[] document) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, key.getBytes(StandardCharsets.UTF_8), document);
        r.headers().add(KafkaHeaders.JOB_ID, id.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** A group-less reader of every partition of {@code topic} from the beginning. */
    static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        // A reply-to topic appears only when Kiln publishes its first result there: wait for it.
        long end = System.nanoTime() + 180_000_000_000L;
        List<PartitionInfo> infos;
        do {
            infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) sleep(200);
        } while ((infos == null || infos.isEmpty()) && System.nanoTime() < end);
        if (infos == null || infos.isEmpty()) throw new IllegalStateException("topic " + topic + " did not appear within 3 minutes");
        for (PartitionInfo pi : infos) parts.add(new TopicPartition(topic, pi.partition()));
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads until {@code done} holds for what was read, or the time runs out. */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaConsumer<byte[], byte[]> c,
                                                          Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration max) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        long end = System.nanoTime() + max.toNanos();
        while (!done.test(all) && System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) all.add(r);
        }
        return all;
    }

    /**
     * Reads {@code kiln.results} from the start until every id in {@code ids} has a result (or two
     * minutes passed) and asserts each result is {@code succeeded} and no other id answered.
     */
    static void assertEveryJobSucceeded(String bootstrap, java.util.Set<String> ids) {
        try (KafkaConsumer<byte[], byte[]> c = reader(bootstrap, dev.kiln.kafka.KilnTopics.RESULTS)) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            List<ConsumerRecord<byte[], byte[]>> all = readUntil(c, rs -> {
                seen.clear();
                for (ConsumerRecord<byte[], byte[]> r : rs) seen.add(json(r.value()).path("id").asText());
                return seen.containsAll(ids);
            }, Duration.ofMinutes(2));
            for (ConsumerRecord<byte[], byte[]> r : all) {
                org.junit.jupiter.api.Assertions.assertEquals("succeeded", json(r.value()).path("status").asText(),
                        new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
            }
            org.junit.jupiter.api.Assertions.assertEquals(ids, seen);
        }
    }

    static JsonNode json(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
