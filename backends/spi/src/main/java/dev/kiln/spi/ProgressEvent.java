package dev.kiln.spi;

/**
 * One progress sample of a running job: iteration and the residual (or loss) after it.
 * Published on {@code kiln.progress} and the SSE stream.
 */
public record ProgressEvent(String jobId, String backend, int iteration, double residual, long elapsedMs) {
}
