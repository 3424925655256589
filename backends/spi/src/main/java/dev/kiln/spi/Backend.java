package dev.kiln.spi;

import java.util.Map;

/**
 * A place jobs can run: a CPU, an OpenCL device, an emulated chip. Found with
 * {@link java.util.ServiceLoader}; a new backend needs one class with a no-arg constructor,
 * one {@code META-INF/services/dev.kiln.spi.Backend} line, and a test extending
 * {@code dev.kiln.spi.conformance.BackendConformanceKit}.
 *
 * <p>Threads: {@link #solve} runs on a runtime worker thread, never on an event loop, and
 * may be called concurrently for different jobs. The other methods are cheap and may be
 * called from any thread.
 */
public interface Backend extends AutoCloseable {

    /** Stable id used in {@code options.backend} and results ({@code cpu}, {@code opencl}, ...). */
    String id();

    /**
     * Applies configuration (keys documented by the backend, prefixed {@code kiln.<id>.}),
     * called once before {@link #probe()}, like Kafka's {@code Configurable}.
     */
    default void configure(Map<String, ?> config) { }

    /** Is the hardware there? Must not throw; unavailability carries its reason. */
    Probe probe();

    /** Can this backend run the job as asked (kind, method, precision, size)? */
    Support supports(Job job);

    /** Features for the cost model; only called for supported jobs. */
    Features features(Job job);

    /**
     * Runs the job to an end: converged, out of iterations, or stopped by
     * {@code cancellation} (then the outcome carries {@link ErrorCode#CANCELLED} or
     * {@link ErrorCode#DEADLINE_EXCEEDED}).
     *
     * @throws BackendException when the backend itself failed
     */
    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException;

    /** How many jobs this backend runs at once by default (the runtime sizes its worker pool by it). */
    default int defaultConcurrency() { return 1; }

    /** Releases devices and threads; idempotent. */
    @Override
    default void close() { }
}
