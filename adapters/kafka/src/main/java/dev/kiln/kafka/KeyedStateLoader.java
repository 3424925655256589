package dev.kiln.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 * Reads one {@link KeyedState} back from the compacted {@code kiln.state} topic at start-up: every
 * record from the beginning to the end offsets taken when it starts, the last value per key
 * winning and a tombstone (null value) deleting. Only keys under the state's
 * {@linkplain KeyedState#keyPrefix() prefix} are read; other kinds sharing the topic are left
 * alone. A value the state rejects is skipped with a warning rather than stopping Kiln.
 *
 * <p>Runs on the caller's thread, before jobs are taken; a consumer without a group (assigned
 * partitions, nothing committed).
 */
public final class KeyedStateLoader {
    private static final Logger LOG = LoggerFactory.getLogger(KeyedStateLoader.class);

    private KeyedStateLoader() { }

    /**
     * Applies every record of {@code state}'s kind stored in {@code kiln.state}, creating the
     * topics when absent.
     *
     * @return how many records were applied
     */
    public static int load(KafkaSettings settings, KeyedState state, long timeoutMs) throws InterruptedException {
        Map<String, Object> common = new HashMap<>(settings.clientProperties());
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        try (Admin admin = Admin.create(common)) {
            KilnTopics.ensure(admin, settings.partitions(), timeoutMs);
        }
        Map<String, Object> c = new HashMap<>(common);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiln-" + state.name() + "-state-loader");
        Map<String, byte[]> latest = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
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
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || !r.key().startsWith(state.keyPrefix())) continue;
                    if (r.value() == null) latest.remove(r.key());
                    else latest.put(r.key(), r.value());
                }
            }
        }
        int applied = 0;
        for (Map.Entry<String, byte[]> e : latest.entrySet()) {
            try {
                state.apply(e.getKey(), e.getValue());
                applied++;
            } catch (IllegalArgumentException ex) {
                LOG.warn("{}: skipping {}: {}", KilnTopics.STATE, e.getKey(), ex.getMessage());
            }
        }
        LOG.info("loaded {} {} state record(s) from {}", applied, state.name(), KilnTopics.STATE);
        return applied;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
