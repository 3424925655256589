package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import dev.kiln.spi.ProgressSink;

/**
 * The {@link ProgressSink} handed to a backend for one job: passes on the first sample and
 * then at most one per interval, so a solver may report every iteration at no cost.
 * Used by one solving thread at a time.
 */
public final class RateLimitedProgress implements ProgressSink {
    private final ProgressBus bus;
    private final String jobId;
    private final String backend;
    private final long intervalNanos;
    private final long startNanos;
    private long lastNanos;
    private boolean any;
    private boolean held; // the last sample was not published
    private int lastIteration = -1;
    private double lastResidual = Double.NaN;

    public RateLimitedProgress(ProgressBus bus, String jobId, String backend, long intervalMs) {
        this.bus = bus;
        this.jobId = jobId;
        this.backend = backend;
        this.intervalNanos = intervalMs * 1_000_000L;
        this.startNanos = System.nanoTime();
    }

    @Override
    public void report(int iteration, double residual) {
        lastIteration = iteration;
        lastResidual = residual;
        long now = System.nanoTime();
        if (!any || now - lastNanos >= intervalNanos) {
            any = true;
            lastNanos = now;
            held = false;
            bus.publish(new ProgressEvent(jobId, backend, iteration, residual, (now - startNanos) / 1_000_000L));
        } else {
            held = true;
        }
    }

    /** Publishes the last sample if the limiter held it back, so listeners see the end. */
    public void flush() {
        if (held) {
            held = false;
            bus.publish(new ProgressEvent(jobId, backend, lastIteration, lastResidual, (System.nanoTime() - startNanos) / 1_000_000L));
        }
    }
}
