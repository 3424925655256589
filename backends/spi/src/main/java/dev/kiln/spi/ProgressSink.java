package dev.kiln.spi;

/**
 * Where a backend reports progress. Called on the solving thread; implementations rate-limit
 * and hand off, so a backend may call it every iteration.
 */
@FunctionalInterface
public interface ProgressSink {
    void report(int iteration, double residual);

    ProgressSink NONE = (iteration, residual) -> { };
}
