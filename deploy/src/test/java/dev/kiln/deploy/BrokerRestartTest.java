package dev.kiln.deploy;

import dev.kiln.deploy.kafka.EmbeddedKafkaBroker;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker goes away mid-stream and comes back (issue 9): Kiln runs against a broker it does
 * not own ({@code kiln.kafka.bootstrap}), a user's producer streams jobs, and the broker is
 * stopped and started again on the same data directory and port while jobs are being published
 * and solved. Every client (Kiln's consumer and producer, the user's producer and reader) keeps
 * its bootstrap address and must reconnect by itself; the stream must complete with exactly one
 * correct result per job after dedupe by id.
 */
class BrokerRestartTest {
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @Test
    void aBrokerRestartMidStreamLosesNoJob() throws Exception {
        // Tiny jobs (poisson2d nx 8..20) in paced bursts: ~6 s of stream, so the broker stops while it goes on.
        JobStream stream = new JobStream("broker-restart", 600, 6, i -> 8 + i % 13);
        int jobs = stream.ids().size();
        long downMs;
        long restartMs;
        int seenAtStop;
        boolean publishingAtStop;
        int inFlightAfter;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dir.resolve("kafka"))
                .numPartitions(PARTITIONS).brokerProperty("offsets.topic.num.partitions", "3").start();
             KilnService kiln = KilnService.start(config(broker.bootstrapServers()))) {
            Thread publisher = stream.publish(broker.bootstrapServers(), 10, 100);
            try (KafkaConsumer<byte[], byte[]> reader = KafkaClients.reader(broker.bootstrapServers(), KilnTopics.RESULTS)) {
                stream.read(reader, () -> stream.unique() >= jobs / 4, Duration.ofSeconds(90));
                seenAtStop = stream.unique();
                publishingAtStop = publisher.isAlive();
                long t0 = System.nanoTime();
                broker.stop();
                // Down long enough that every client notices (requests fail, connections are refused)
                // and the publisher's sends pile up in its buffer.
                Thread.sleep(3_000);
                long t1 = System.nanoTime();
                broker.start();
                restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
                downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                stream.readAll(reader, Duration.ofSeconds(150), Duration.ofSeconds(2));
                publisher.join(60_000);
            }
            // Every job answered, so nothing may still count as taken: a result whose send failed during the
            // outage and was never sent again would hold its in-flight slot for good.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (kiln.kafkaAdapter().inFlight() > 0 && System.nanoTime() < end) Thread.sleep(50);
            inFlightAfter = kiln.kafkaAdapter().inFlight();
        }
        System.out.println(stream.figures("BROKER-RESTART") + " seen_at_stop=" + seenAtStop
                + " publishing_at_stop=" + publishingAtStop + " broker_down_ms=" + downMs + " restart_ms=" + restartMs + " in_flight_after=" + inFlightAfter);
        assertEquals(0, stream.sendFailures(), "the test's own producer lost jobs; the figures mean nothing");
        assertTrue(seenAtStop < jobs, "the broker must stop mid-stream, or the test shows nothing");
        assertEquals(Set.of(), stream.missing(), "jobs without a result after the broker restart");
        stream.assertEveryResultCorrect();
        assertEquals(0, inFlightAfter, "in-flight slots still taken after every job was answered");
    }

    private KilnConfig config(String bootstrap) {
        return KilnConfig.of(Map.of(
                KilnConfig.KAFKA_BOOTSTRAP.name(), bootstrap,
                KilnConfig.KAFKA_PARTITIONS.name(), Integer.toString(PARTITIONS),
                KilnConfig.HTTP_PORT.name(), "0",
                // Against a broker it does not own Kiln's HTTP API refuses to start open.
                KilnConfig.HTTP_API_KEYS.name(), "broker-restart-test-key-0123456789",
                KilnConfig.WORKERS.name(), "1",
                KilnConfig.KAFKA_MAX_IN_FLIGHT.name(), "8",
                KilnConfig.ROUTING_CALIBRATE.name(), "false",
                KilnConfig.PLUGINS_DIR.name(), dir.resolve("no-plugins").toString(),
                // Kiln's producers give a send up after 2.5 s (Kafka's default: 120 s), shorter than the
                // outage, so results solved while the broker is down fail to send and must be sent again.
                "kiln.kafka.client.delivery.timeout.ms", "2500",
                "kiln.kafka.client.request.timeout.ms", "2000"));
    }
}
