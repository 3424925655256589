package dev.kiln.solvers.krylov;

/**
 * The block operations of subspace recycling that {@link dev.kiln.solvers.kernel.KrylovKernels}
 * has no single call for: forming new basis vectors as linear combinations of stored ones.
 *
 * <p>Why not k·m axpy calls: forming h vectors from m sources by axpys streams every output
 * vector m times through memory. Here rows are taken in chunks small enough to stay in L1
 * ({@link #CHUNK} doubles per vector), so each source and each output is read or written once;
 * the inner loop is a plain a·x + y over the chunk, which C2 compiles to SIMD code. Runs once
 * per solve, after the iteration, so it need not be threaded. No checks, no allocation.
 */
final class SubspaceKernels {
    /** Rows per chunk: 512 doubles = 4 KiB per vector, so an output chunk and a source chunk fit L1 with room to spare. */
    static final int CHUNK = 512;

    private SubspaceKernels() {}

    /**
     * out[i] = Σ_s coef[s][i]·scale[s]·sources[s] for each output i (overwrites out[i]).
     *
     * @param sources m vectors of length n
     * @param scale   m factors applied to the sources (e.g. 1/√ρ_j for stored CG residuals)
     * @param coef    m×h coefficients
     * @param out     h vectors of length n
     */
    static void combine(int n, double[][] sources, double[] scale, double[][] coef, double[][] out) {
        int m = sources.length, h = out.length;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int hi = Math.min(n, lo + CHUNK);
            for (int i = 0; i < h; i++) {
                double[] o = out[i];
                for (int r = lo; r < hi; r++) o[r] = 0;
                for (int s = 0; s < m; s++) {
                    double c = coef[s][i] * scale[s];
                    if (c == 0) continue;
                    double[] src = sources[s];
                    for (int r = lo; r < hi; r++) o[r] += c * src[r];
                }
            }
        }
    }
}
