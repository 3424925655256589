package dev.kiln.spi;

/**
 * What the cost model needs to predict a backend's time for a job.
 *
 * @param n                  unknowns
 * @param nnz                stored non-zeros
 * @param estimatedIterations backend's own estimate (or the tuner's), ≥ 1
 * @param bytesToMove        bytes the backend must transfer before computing (0 for host backends)
 * @param precision          arithmetic precision it would run in
 */
public record Features(long n, long nnz, double estimatedIterations, long bytesToMove, Precision precision) {
}
