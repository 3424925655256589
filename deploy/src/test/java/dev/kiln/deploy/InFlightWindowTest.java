package dev.kiln.deploy;

import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-flight window through a real broker: with {@code kiln.kafka.max-in-flight} 2 a burst
 * of tiny jobs keeps the adapter paused at its window, where the poll thread waits on the
 * answer queue instead of polling; every job must still be answered, the window never
 * exceeded, and — with commits now throttled rather than made per loop — the group's committed
 * offsets must still reach the end of kiln.jobs once every result is out, while Kiln keeps
 * running (no rebalance or shutdown commit to help).
 */
class InFlightWindowTest {
    @TempDir
    Path data;

    @Test
    void aBurstThroughAWindowOfTwoIsAnsweredAndCommitted() throws Exception {
        int jobs = 60;
        int window = 2;
        try (KilnService kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.KAFKA_MAX_IN_FLIGHT.name(), Integer.toString(window),
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000",
                KilnConfig.ROUTING_CALIBRATE.name(), "false")))) {
            AtomicInteger mostInFlight = new AtomicInteger();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = Thread.ofPlatform().start(() -> {
                while (watching.get()) {
                    mostInFlight.accumulateAndGet(kiln.kafkaAdapter().inFlight(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000); // sampled, not spun: the machine has 2 cores
                }
            });
            Set<String> ids = new HashSet<>();
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kiln.bootstrapServers())) {
                for (int i = 0; i < jobs; i++) {
                    String id = "window-" + i;
                    ids.add(id);
                    p.send(KafkaClients.jobRecord(id, id,
                            ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},"
                                    + "\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"tolerance\":1e-9}}")
                                    .getBytes(StandardCharsets.UTF_8)));
                }
                p.flush();
            }
            try {
                KafkaClients.assertEveryJobSucceeded(kiln.bootstrapServers(), ids);
            } finally {
                watching.set(false);
                watcher.join();
            }
            assertTrue(mostInFlight.get() <= window, "in flight at most " + window + ", saw " + mostInFlight.get());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kiln.bootstrapServers()))) {
                long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                long committed = -1;
                while (System.nanoTime() < end) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                            kiln.config().get(KilnConfig.KAFKA_GROUP)).partitionsToOffsetAndMetadata().get();
                    committed = 0;
                    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                        if (e.getKey().topic().equals(KilnTopics.JOBS) && e.getValue() != null) committed += e.getValue().offset();
                    }
                    if (committed == jobs) break;
                    Thread.sleep(50);
                }
                assertEquals(jobs, committed, "committed offsets of kiln.jobs, summed over partitions, once every job is answered");
            }
        }
    }
}
