package dev.kiln.deploy;

import dev.kiln.deploy.kafka.EmbeddedKafkaBroker;
import dev.kiln.kafka.KilnTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash safety with real processes on a real broker (issue 9): the embedded broker runs in
 * the test JVM, Kiln replicas run as separate {@code kiln serve --bootstrap} processes in one
 * consumer group, a stream of jobs keyed by family goes to {@code kiln.jobs}, and one replica
 * is killed ({@code kill -9}) or terminated (SIGTERM) mid-stream. A consumer that dedupes by
 * job id must then see exactly one correct result per job.
 *
 * <p>Crash detection takes the group's session timeout: the replicas run with Kafka's
 * smallest default-allowed {@code session.timeout.ms} (6 s, the broker's
 * {@code group.min.session.timeout.ms}) passed through {@code kiln.kafka.client.*}.
 */
class CrashSafetyTest {
    private static final String GROUP = "kiln";
    private static final int PARTITIONS = 6;
    private static final int FAMILIES = 12;

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private final List<KilnReplica> replicas = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dir.resolve("kafka")).numPartitions(PARTITIONS)
                .brokerProperty("offsets.topic.num.partitions", "3").start();
        try (Admin admin = admin()) {
            KilnTopics.ensure(admin, PARTITIONS, 30_000);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (KilnReplica r : replicas) r.close();
        if (broker != null) broker.close();
    }

    /**
     * The figure: three replicas, 2 000 jobs, one replica {@code kill -9}-ed mid-run and
     * restarted. Jobs are tiny (poisson2d, nx 8..20: under 400 unknowns) and published in paced
     * bursts (20 every 100 ms, about 10 s of stream), so the kill lands while the stream is going
     * and the test stays well under a minute on a loaded 2-core machine.
     */
    @Test
    void killNineOfOneOfThreeReplicasMidStreamLosesNoJobAndShowsNoDuplicateAfterDedupe() throws Exception {
        JobStream stream = new JobStream("kill", 2_000, FAMILIES, i -> 8 + i % 13);
        int jobs = stream.ids().size();
        long t0 = System.nanoTime();
        KilnReplica a = replica("replica-a", 10_000);
        KilnReplica b = replica("replica-b", 10_000);
        KilnReplica c = replica("replica-c", 10_000);
        awaitRunning(a, b, c);
        awaitMembers(3);
        long startedMs = msSince(t0);

        int seenAtKill;
        boolean publishingAtKill;
        long killAtMs;
        long completeMs;
        Thread publisher = stream.publish(broker.bootstrapServers(), 20, 100);
        try (KafkaConsumer<byte[], byte[]> reader = KafkaClients.reader(broker.bootstrapServers(), KilnTopics.RESULTS)) {
            stream.read(reader, () -> stream.unique() >= jobs / 4, Duration.ofSeconds(90));
            seenAtKill = stream.unique();
            publishingAtKill = publisher.isAlive();
            killAtMs = msSince(t0);
            a.kill(); // mid-stream: jobs are still being published and solved
            // ... and restarted, as an orchestrator would; it rejoins the group.
            KilnReplica a2 = replica("replica-a-restarted", 10_000);
            stream.read(reader, stream::complete, Duration.ofSeconds(150));
            completeMs = msSince(t0);
            stream.read(reader, () -> false, Duration.ofSeconds(2)); // late repeats, so the count sees them
            publisher.join(30_000);
            a2.awaitRunning(Duration.ofSeconds(90)); // it did start and join
        }
        // Times (ms from the test's start, for reading the log, not asserted): replicas up, kill, last result.
        System.out.println(stream.figures("CRASH kill-9 replicas=3") + " seen_at_kill=" + seenAtKill
                + " publishing_at_kill=" + publishingAtKill + " t_started_ms=" + startedMs + " t_kill_ms=" + killAtMs
                + " t_complete_ms=" + completeMs);
        assertEquals(0, stream.sendFailures(), "the test's own producer lost jobs; the figures mean nothing");
        assertTrue(seenAtKill < jobs, "the kill must happen mid-stream, or the test shows nothing");
        assertEquals(Set.of(), stream.missing(), "jobs without a result after the kill\n" + tails(b, c));
        stream.assertEveryResultCorrect();
    }

    @Test
    void sigtermDrainsRunningJobsAndHandsBackTheRestWithinTheGracePeriod() throws Exception {
        JobStream stream = new JobStream("term", 300, FAMILIES, i -> 48 + 8 * (i % 5));
        int jobs = stream.ids().size();
        long graceMs = 30_000;
        KilnReplica a = replica("replica-a", graceMs);
        KilnReplica b = replica("replica-b", graceMs);
        awaitRunning(a, b);
        awaitMembers(2);

        // All at once: each replica's in-flight bound fills and records wait behind it.
        Thread publisher = stream.publish(broker.bootstrapServers(), 1, 0);
        long drainMs;
        int seenAtTerm;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(broker.bootstrapServers(), KilnTopics.RESULTS)) {
            stream.read(c, () -> stream.unique() >= jobs / 5, Duration.ofSeconds(60));
            seenAtTerm = stream.unique();
            drainMs = b.terminate(Duration.ofMillis(graceMs + 20_000));
            stream.readAll(c, Duration.ofSeconds(120), Duration.ofSeconds(2));
            publisher.join(30_000);
        }
        // drain_ms: SIGTERM sent -> process exited (finish running jobs, commit, hand the rest back, close).
        System.out.println(stream.figures("CRASH sigterm replicas=2") + " drain_ms=" + drainMs
                + " grace_ms=" + graceMs + " seen_at_term=" + seenAtTerm);
        assertTrue(drainMs >= 0, "SIGTERM did not end the replica\n" + b.tail());
        // In-flight jobs are milliseconds long: a drain that uses up the grace period waited for
        // work it had handed back (records fetched but never started), not for running jobs.
        assertTrue(drainMs < graceMs, "drain took " + drainMs + " ms, the whole grace period\n" + b.tail());
        assertEquals(143, b.exitValue(), "exit status of a JVM ended by SIGTERM through its shutdown hook\n" + b.tail());
        assertTrue(seenAtTerm < jobs, "SIGTERM must come mid-stream, or the test shows nothing");
        assertEquals(0, stream.sendFailures(), "the test's own producer lost jobs; the figures mean nothing");
        assertEquals(Set.of(), stream.missing(), "jobs without a result after SIGTERM\n" + tails(a, b));
        stream.assertEveryResultCorrect();
        // A graceful stop commits everything it answered, so nothing is solved twice.
        assertEquals(jobs, stream.raw(), "a graceful hand-over repeats no result\n" + tails(a, b));
    }

    // ------------------------------------------------------------------ helpers

    private KilnReplica replica(String name, long graceMs) throws Exception {
        KilnReplica r = KilnReplica.start(name, broker.bootstrapServers(), dir.resolve(name), List.of(
                "kiln.kafka.group=" + GROUP,
                "kiln.kafka.partitions=" + PARTITIONS,
                "kiln.workers=1",
                "kiln.kafka.max-in-flight=8",
                "kiln.shutdown.grace-ms=" + graceMs,
                "kiln.kafka.client.session.timeout.ms=6000",
                "kiln.kafka.client.heartbeat.interval.ms=1000"));
        replicas.add(r);
        return r;
    }

    private static void awaitRunning(KilnReplica... rs) throws Exception {
        for (KilnReplica r : rs) r.awaitRunning(Duration.ofSeconds(90));
    }

    /** Waits until {@code n} members of the group each own at least one partition. */
    private void awaitMembers(int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < end) {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                long owning = g.members().stream().map(MemberDescription::assignment)
                        .filter(as -> !as.topicPartitions().isEmpty()).count();
                if (owning == n) return;
                Thread.sleep(200);
            }
        }
        fail("the consumer group never had " + n + " members with partitions\n" + tails(replicas.toArray(KilnReplica[]::new)));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static long msSince(long t0) {
        return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String tails(KilnReplica... rs) {
        StringBuilder b = new StringBuilder();
        for (KilnReplica r : rs) b.append(r.tail()).append('\n');
        return b.toString();
    }
}
