package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stream of small linear jobs published to {@code kiln.jobs} keyed by family, as a user's
 * producer would, and every result read back from {@code kiln.results}, grouped by job id so a
 * test can count what a consumer that dedupes by id sees (unique) and what arrived raw
 * (repeats included). Test support for the crash, broker-restart and heap tests.
 */
final class JobStream {
    private final Set<String> ids = new LinkedHashSet<>();
    private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private final int families;
    private final IntUnaryOperator nxOfJob;

    /**
     * @param prefix  job ids are {@code prefix-0 .. prefix-(n-1)}
     * @param families job {@code i} belongs to {@code family-(i % families)} and is keyed by it
     * @param nxOfJob grid side of job {@code i}'s 2-D Poisson matrix
     */
    JobStream(String prefix, int n, int families, IntUnaryOperator nxOfJob) {
        for (int i = 0; i < n; i++) ids.add(prefix + "-" + i);
        this.families = families;
        this.nxOfJob = nxOfJob;
    }

    Set<String> ids() { return ids; }

    /**
     * Publishes every job on a thread of its own: {@code burst} jobs, then {@code pauseMs} of sleep,
     * so the stream is still going when the test breaks something. {@code pauseMs = 0}: all at once.
     */
    Thread publish(String bootstrap, int burst, long pauseMs) {
        Thread t = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap)) {
                int i = 0;
                for (String id : ids) {
                    String family = "family-" + (i % families);
                    p.send(KafkaClients.jobRecord(family, id, job(id, family, nxOfJob.applyAsInt(i))), (md, ex) -> {
                        if (ex != null) sendFailures.incrementAndGet();
                    });
                    i++;
                    if (pauseMs > 0 && i % burst == 0) Thread.sleep(pauseMs);
                }
                p.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-publisher");
        t.start();
        return t;
    }

    /** A small SPD system (2-D Poisson, b = A·1) solved by CG on the CPU backend. */
    static byte[] job(String id, String family, int nx) {
        return ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"family\":\"" + family + "\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":" + nx + "},\"rhs\":{\"generator\":\"a-times-ones\"}},"
                + "\"options\":{\"backend\":\"cpu\",\"method\":\"cg\",\"tolerance\":1e-8}}").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads results into this stream until {@code done} holds or {@code max} passes (a hang guard, not a timing check). */
    void read(KafkaConsumer<byte[], byte[]> c, BooleanSupplier done, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                JsonNode res = KafkaClients.json(r.value());
                results.computeIfAbsent(res.path("id").asText(), k -> new ArrayList<>()).add(res);
            }
        }
    }

    /** Reads until every job has a result, then {@code settle} more so late repeats are counted too. */
    void readAll(KafkaConsumer<byte[], byte[]> c, Duration max, Duration settle) {
        read(c, this::complete, max);
        read(c, () -> false, settle);
    }

    boolean complete() { return results.keySet().containsAll(ids); }

    /** Distinct job ids with a result: what a consumer that dedupes by id sees. */
    int unique() { return results.size(); }

    /** Result records read, repeats included. */
    int raw() { return results.values().stream().mapToInt(List::size).sum(); }

    int sendFailures() { return sendFailures.get(); }

    Set<String> resultIds() { return results.keySet(); }

    Set<String> missing() {
        Set<String> m = new LinkedHashSet<>(ids);
        m.removeAll(results.keySet());
        return m;
    }

    /** The figures line the closing note quotes: jobs sent / results seen / unique / lost / raw duplicates. */
    String figures(String label) {
        return String.format("%s jobs_sent=%d results_seen=%d unique=%d lost=%d raw_duplicates=%d",
                label, ids.size(), raw(), unique(), missing().size(), raw() - unique());
    }

    /**
     * Every result, first or repeated, succeeded and converged to the tolerance, under its own id, and
     * only jobs that were sent have results. A repeat need not take the same iterations: the replica that
     * re-ran the job may hold different recycled vectors / warm starts for the family (learned state is
     * per replica until the next kiln.state snapshot), so only correctness is compared.
     */
    void assertEveryResultCorrect() {
        assertEquals(Set.of(), missing(), "jobs without a result");
        assertEquals(ids, results.keySet(), "only the jobs sent have results");
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
}
