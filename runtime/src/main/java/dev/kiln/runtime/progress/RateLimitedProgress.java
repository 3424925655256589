package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import dev.kiln.spi.ProgressSink;

import java.util.function.LongSupplier;

/**
 * The {@link ProgressSink} handed to a backend for one job: passes on the first sample taken
 * once the job has run {@code firstAfterMs}, then at most one per interval, plus the last, so a
 * solver may report every iteration at no cost. A job that ends within {@code firstAfterMs}
 * publishes nothing: progress is for jobs someone could watch, and per-job records for jobs of
 * microseconds were two of the three records Kiln produced per job (docs/ARCHITECTURE.md, issue 8).
 * Used by one solving thread at a time.
 */
public final class RateLimitedProgress implements ProgressSink {
    private final ProgressBus bus;
    private final String jobId;
    private final String backend;
    private final long intervalNanos;
    private final long firstAfterNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private long lastNanos;
    private boolean any;
    private boolean held; // the last sample was not published, though an earlier one was
    private int lastIteration = -1;
    private double lastResidual = Double.NaN;

    public RateLimitedProgress(ProgressBus bus, String jobId, String backend, long intervalMs, long firstAfterMs) {
        this(bus, jobId, backend, intervalMs, firstAfterMs, System::nanoTime);
    }

    /** With the clock in ns ({@link System#nanoTime} in production; a test's own). */
    RateLimitedProgress(ProgressBus bus, String jobId, String backend, long intervalMs, long firstAfterMs, LongSupplier clock) {
        this.bus = bus;
        this.jobId = jobId;
        this.backend = backend;
        this.intervalNanos = intervalMs * 1_000_000L;
        this.firstAfterNanos = firstAfterMs * 1_000_000L;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    @Override
    public void report(int iteration, double residual) {
        lastIteration = iteration;
        lastResidual = residual;
        long now = clock.getAsLong();
        if (any ? now - lastNanos >= intervalNanos : now - startNanos >= firstAfterNanos) {
            any = true;
            lastNanos = now;
            held = false;
            bus.publish(new ProgressEvent(jobId, backend, iteration, residual, (now - startNanos) / 1_000_000L));
        } else {
            held = any;
        }
    }

    /**
     * Publishes the last sample if the limiter held it back after publishing an earlier one, so
     * listeners of a job with progress see its end; a job with none stays without.
     */
    public void flush() {
        if (held) {
            held = false;
            bus.publish(new ProgressEvent(jobId, backend, lastIteration, lastResidual, (clock.getAsLong() - startNanos) / 1_000_000L));
        }
    }
}
