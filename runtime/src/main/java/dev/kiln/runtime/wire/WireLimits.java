package dev.kiln.runtime.wire;

/**
 * Size limits enforced at the edge, before anything is allocated from declared sizes.
 *
 * @param maxMessageBytes largest job document accepted (HTTP body, Kafka record value)
 * @param maxUnknowns     largest n of a linear system
 * @param maxNonZeros     largest nnz of a matrix
 * @param maxNestingDepth deepest JSON nesting accepted (a job needs 4)
 */
public record WireLimits(int maxMessageBytes, int maxUnknowns, long maxNonZeros, int maxNestingDepth) {
    /**
     * Defaults sized for the 24 GiB machines Kiln ships on: a 64 MiB document holds about
     * 3 million nnz of CSR text; n up to 10 million for generated problems.
     */
    public static WireLimits defaults() {
        return new WireLimits(64 * 1024 * 1024, 10_000_000, 50_000_000L, 32);
    }
}
