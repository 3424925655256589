package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.deploy.kafka.EmbeddedKafkaBroker;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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

    @Test
    void killNineOfAReplicaMidStreamLosesNoJobAndShowsNoDuplicateAfterDedupe() throws Exception {
        int jobs = 400;
        KilnReplica a = replica("replica-a", 10_000);
        KilnReplica b = replica("replica-b", 10_000);
        awaitRunning(a, b);
        awaitMembers(2);

        Set<String> ids = ids("kill", jobs);
        Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
        AtomicInteger seenAtKill = new AtomicInteger(-1);
        Thread publisher = publishPaced(ids, 10);
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(broker.bootstrapServers(), KilnTopics.RESULTS)) {
            readInto(c, results, () -> results.size() >= jobs / 4, Duration.ofSeconds(60));
            seenAtKill.set(results.size());
            a.kill(); // mid-stream: jobs are still being published and solved
            // ... and restarted, as an orchestrator would; it rejoins the group.
            KilnReplica a2 = replica("replica-a-restarted", 10_000);
            readInto(c, results, () -> results.keySet().containsAll(ids), Duration.ofSeconds(120));
            publisher.join(30_000);
            // Let late duplicates arrive so the count below sees them.
            readInto(c, results, () -> false, Duration.ofSeconds(2));
            a2.awaitRunning(Duration.ofSeconds(90)); // it did start and join
        }
        int raw = results.values().stream().mapToInt(List::size).sum();
        System.out.printf("CRASH kill-9 jobs_sent=%d results_seen=%d unique=%d lost=%d raw_duplicates=%d seen_at_kill=%d%n",
                jobs, raw, results.size(), missing(ids, results).size(), raw - results.size(), seenAtKill.get());
        assertTrue(seenAtKill.get() < jobs, "the kill must happen mid-stream, or the test shows nothing");
        assertEquals(Set.of(), missing(ids, results), "jobs without a result after the kill\n" + tails(b));
        assertEquals(ids, results.keySet(), "only the jobs sent have results");
        assertEveryResultCorrect(results);
    }

    @Test
    void sigtermDrainsRunningJobsAndHandsBackTheRestWithinTheGracePeriod() throws Exception {
        int jobs = 300;
        long graceMs = 30_000;
        KilnReplica a = replica("replica-a", graceMs);
        KilnReplica b = replica("replica-b", graceMs);
        awaitRunning(a, b);
        awaitMembers(2);

        Set<String> ids = ids("term", jobs);
        Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
        // All at once: each replica's in-flight bound fills and records wait behind it.
        Thread publisher = publishPaced(ids, 0);
        long drainMs;
        int seenAtTerm;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(broker.bootstrapServers(), KilnTopics.RESULTS)) {
            readInto(c, results, () -> results.size() >= jobs / 5, Duration.ofSeconds(60));
            seenAtTerm = results.size();
            drainMs = b.terminate(Duration.ofMillis(graceMs + 20_000));
            readInto(c, results, () -> results.keySet().containsAll(ids), Duration.ofSeconds(120));
            publisher.join(30_000);
            readInto(c, results, () -> false, Duration.ofSeconds(2));
        }
        int raw = results.values().stream().mapToInt(List::size).sum();
        System.out.printf("CRASH sigterm jobs_sent=%d results_seen=%d unique=%d lost=%d raw_duplicates=%d drain_ms=%d seen_at_term=%d%n",
                jobs, raw, results.size(), missing(ids, results).size(), raw - results.size(), drainMs, seenAtTerm);
        assertTrue(drainMs >= 0, "SIGTERM did not end the replica\n" + b.tail());
        // In-flight jobs are milliseconds long: a drain that uses up the grace period waited for
        // work it had handed back (records fetched but never started), not for running jobs.
        assertTrue(drainMs < graceMs, "drain took " + drainMs + " ms, the whole grace period\n" + b.tail());
        assertEquals(143, b.exitValue(), "exit status of a JVM ended by SIGTERM through its shutdown hook\n" + b.tail());
        assertTrue(seenAtTerm < jobs, "SIGTERM must come mid-stream, or the test shows nothing");
        assertEquals(Set.of(), missing(ids, results), "jobs without a result after SIGTERM\n" + tails(a, b));
        assertEveryResultCorrect(results);
        // A graceful stop commits everything it answered, so nothing is solved twice.
        assertEquals(jobs, raw, "a graceful hand-over repeats no result\n" + tails(a, b));
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

    private static Set<String> ids(String prefix, int n) {
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) ids.add(prefix + "-" + i);
        return ids;
    }

    /** Publishes the jobs keyed by family on a thread, {@code pauseMs} apart, so the stream is still going when a replica dies. */
    private Thread publishPaced(Set<String> ids, long pauseMs) {
        Thread t = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(broker.bootstrapServers())) {
                int i = 0;
                for (String id : ids) {
                    String family = "family-" + (i % FAMILIES);
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS,
                            family.getBytes(StandardCharsets.UTF_8), job(id, family, 48 + 8 * (i % 5)));
                    r.headers().add(KafkaHeaders.JOB_ID, id.getBytes(StandardCharsets.UTF_8));
                    p.send(r);
                    i++;
                    if (pauseMs > 0) Thread.sleep(pauseMs);
                }
                p.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-publisher");
        t.start();
        return t;
    }

    /** A small SPD system (2-D Poisson, b = A·1) solved by CG on the CPU backend: milliseconds each. */
    static byte[] job(String id, String family, int nx) {
        return ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"family\":\"" + family + "\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":" + nx + "},\"rhs\":{\"generator\":\"a-times-ones\"}},"
                + "\"options\":{\"backend\":\"cpu\",\"method\":\"cg\",\"tolerance\":1e-8}}").getBytes(StandardCharsets.UTF_8);
    }

    private static void readInto(KafkaConsumer<byte[], byte[]> c, Map<String, List<JsonNode>> results,
                                 java.util.function.BooleanSupplier done, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                JsonNode res = KafkaClients.json(r.value());
                results.computeIfAbsent(res.path("id").asText(), k -> new ArrayList<>()).add(res);
            }
        }
    }

    private static Set<String> missing(Set<String> ids, Map<String, List<JsonNode>> results) {
        Set<String> m = new LinkedHashSet<>(ids);
        m.removeAll(results.keySet());
        return m;
    }

    /**
     * Every result, first or repeated, succeeded and converged to the tolerance. A repeat need not take the same
     * iterations: the replica that re-ran the job may hold different recycled vectors / warm starts for the family
     * (learned state is per replica until the next kiln.state snapshot), so only correctness is compared.
     */
    private static void assertEveryResultCorrect(Map<String, List<JsonNode>> results) {
        Map<String, String> wrong = new HashMap<>();
        for (Map.Entry<String, List<JsonNode>> e : results.entrySet()) {
            for (JsonNode r : e.getValue()) {
                if (!"succeeded".equals(r.path("status").asText()) || !r.path("converged").asBoolean()
                        || !(r.path("residualNorm").asDouble(1) <= 1e-8)
                        || !e.getKey().equals(r.path("id").asText())) {
                    wrong.put(e.getKey(), (e.getValue().size() > 1 ? "one of " + e.getValue().size() + " answers: " : "") + r);
                }
            }
        }
        assertEquals(Map.of(), wrong, "results that are not correct");
    }

    private static String tails(KilnReplica... rs) {
        StringBuilder b = new StringBuilder();
        for (KilnReplica r : rs) b.append(r.tail()).append('\n');
        return b.toString();
    }
}
