package dev.kiln.kafka;

import dev.kiln.runtime.tuning.Tuner;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the tuner's learned state back from the compacted {@code kiln.state} topic at start-up:
 * every {@code tuner/<family>/<method>} record from the beginning to the end offsets taken when
 * it starts, the last value per key winning (a tombstone deletes), each merged into the tuner
 * with {@link Tuner#restore} (per-arm max merge, so a record read twice counts once). Cost-model
 * keys sharing the topic are left to {@link CostModelStateLoader}. Runs on the caller's thread
 * before jobs are taken; a consumer without a group. Call after the topics exist
 * ({@link CostModelStateLoader#load} or {@link KilnTopics#ensure} creates them).
 */
public final class TunerStateLoader {
    private static final Logger LOG = LoggerFactory.getLogger(TunerStateLoader.class);
    static final String PREFIX = "tuner/";

    private TunerStateLoader() { }

    /** @return how many keys were merged into {@code tuner} */
    public static int load(KafkaSettings settings, Tuner tuner, long timeoutMs) {
        Map<String, Object> c = new HashMap<>(settings.clientProperties());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiln-tuner-state-loader");
        Map<String, String> latest = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(KilnTopics.STATE, Duration.ofMillis(timeoutMs))) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofMillis(timeoutMs));
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + KilnTopics.STATE + " took longer than " + timeoutMs + " ms");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || !r.key().startsWith(PREFIX)) continue;
                    if (r.value() == null) latest.remove(r.key());
                    else latest.put(r.key(), r.value());
                }
            }
        }
        latest.forEach(tuner::restore);
        LOG.info("merged {} tuner state record(s) from {}", latest.size(), KilnTopics.STATE);
        return latest.size();
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
