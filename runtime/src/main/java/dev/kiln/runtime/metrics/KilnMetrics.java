package dev.kiln.runtime.metrics;

import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
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
        String status = r.status().name().toLowerCase(java.util.Locale.ROOT);
        Counter.builder("kiln.jobs").description("Jobs finished, by kind, backend and status")
                .tags("kind", kind, "backend", backend, "status", status).register(registry).increment();
        JobResult.Timing t = r.timing();
        if (t == null) return;
        latency("kiln.job.latency", "Acceptance to result", kind, backend).record(t.totalMs(), TimeUnit.MILLISECONDS);
        latency("kiln.job.queued", "Time waiting in a queue", kind, backend).record(t.queuedMs(), TimeUnit.MILLISECONDS);
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
