package dev.kiln.runtime.metrics;

import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The runtime's meters, kept in a Micrometer Prometheus registry and scraped as text on
 * {@code GET /metrics}: jobs by kind/backend/status ({@code kiln_jobs_total}), refusals for
 * full queues, queue depth and running jobs per backend, latency histograms (queue wait and
 * total, per kind and backend). The router adds its own (decisions, exploration ratio,
 * prediction error, overhead). Thread-safe.
 */
public final class KilnMetrics {
    /** Histogram range: 1 ms (timer resolution of results) to 1 h (a long solve). */
    private static final Duration MIN_LATENCY = Duration.ofMillis(1);
    private static final Duration MAX_LATENCY = Duration.ofHours(1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * The meters of each kind × backend × status, looked up once: registering through the
     * builders per job (tags sorted, id built, the registry's map searched) was about a seventh of a
     * worker's time on a tiny job (measured here: JFR of {@code ./kiln bench routing --quick --case tiny}).
     */
    private final ConcurrentHashMap<FinishedKey, FinishedMeters> finishedMeters = new ConcurrentHashMap<>();

    private record FinishedKey(String kind, String backend, JobStatus status) { }

    private record FinishedMeters(Counter jobs, Timer latency, Timer queued) { }

    public MeterRegistry registry() { return registry; }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public String scrape() { return registry.scrape(); }

    /** Gauges of one backend's lane. */
    public void lane(String backend, Supplier<Number> queued, Supplier<Number> running) {
        Gauge.builder("kiln.queue.depth", queued).tag("backend", backend)
                .description("Jobs waiting in a backend's queue").register(registry);
        Gauge.builder("kiln.jobs.running", running).tag("backend", backend)
                .description("Jobs running on a backend").register(registry);
    }

    /** A job's final result, whatever its status. */
    public void finished(JobResult r) {
        String kind = r.kind() == null ? "unknown" : r.kind().wireName();
        String backend = r.backend() == null ? "none" : r.backend();
        FinishedMeters m = finishedMeters.computeIfAbsent(new FinishedKey(kind, backend, r.status()), k -> new FinishedMeters(
                Counter.builder("kiln.jobs").description("Jobs finished, by kind, backend and status")
                        .tags("kind", k.kind(), "backend", k.backend(), "status", k.status().name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry),
                latency("kiln.job.latency", "Acceptance to result", k.kind(), k.backend()),
                latency("kiln.job.queued", "Time waiting in a queue", k.kind(), k.backend())));
        m.jobs().increment();
        JobResult.Timing t = r.timing();
        if (t == null) return;
        m.latency().record(t.totalMs(), TimeUnit.MILLISECONDS);
        m.queued().record(t.queuedMs(), TimeUnit.MILLISECONDS);
    }

    /** A submission refused because the queue was full (Kafka pauses, HTTP answers 503). */
    public void refused(JobKind kind) {
        Counter.builder("kiln.jobs.refused").description("Submissions refused because the queue was full")
                .tags("kind", kind == null ? "unknown" : kind.wireName(), "reason", "queue_full").register(registry).increment();
    }

    private Timer latency(String name, String doc, String kind, String backend) {
        return Timer.builder(name).description(doc).tags("kind", kind, "backend", backend)
                .publishPercentileHistogram().minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY)
                .register(registry);
    }
}
