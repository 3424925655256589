package dev.kiln.solvers.krylov;

/**
 * The reference {@link BlockKernels}: plain Java, single-threaded. Rows are taken in chunks small
 * enough to stay in L1 ({@link #CHUNK} doubles per vector), so z, p and every basis vector are
 * read once per call; the axpy-shaped inner loops are plain a·x + y over the chunk, which C2
 * compiles to SIMD code; the dot products keep four independent accumulators (four vectors at a
 * time) for instruction-level parallelism (C2 does not vectorise floating-point reductions).
 */
public final class ScalarBlockKernels implements BlockKernels {
    public static final ScalarBlockKernels INSTANCE = new ScalarBlockKernels();

    /** Rows per chunk: 512 doubles = 4 KiB per vector, so an output chunk and a source chunk fit L1 with room to spare. */
    static final int CHUNK = 512;

    private ScalarBlockKernels() {}

    /**
     * out[i] = Σ_s coef[s][i]·scale[s]·sources[s] for each output i (overwrites out[i]).
     *
     * @param sources m vectors of length n
     * @param scale   m factors applied to the sources (e.g. 1/√ρ_j for stored CG residuals)
     * @param coef    m×h coefficients
     * @param out     h vectors of length n
     */
    @Override
    public void combine(int n, double[][] sources, double[] scale, double[][] coef, double[][] out) {
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

    /** out[i] = vs[i]ᵀz for every i. */
    @Override
    public void dots(int n, double[][] vs, double[] z, double[] out) {
        int k = vs.length;
        for (int i = 0; i < k; i++) out[i] = 0;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int hi = Math.min(n, lo + CHUNK);
            int i = 0;
            for (; i + 4 <= k; i += 4) {
                double[] a0 = vs[i], a1 = vs[i + 1], a2 = vs[i + 2], a3 = vs[i + 3];
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int r = lo; r < hi; r++) {
                    double zr = z[r];
                    s0 += a0[r] * zr;
                    s1 += a1[r] * zr;
                    s2 += a2[r] * zr;
                    s3 += a3[r] * zr;
                }
                out[i] += s0;
                out[i + 1] += s1;
                out[i + 2] += s2;
                out[i + 3] += s3;
            }
            for (; i < k; i++) {
                double[] a0 = vs[i];
                double s0 = 0;
                for (int r = lo; r < hi; r++) s0 += a0[r] * z[r];
                out[i] += s0;
            }
        }
    }

    /**
     * p ← z + β·p − Σ_i μ_i·w_i in one pass; with β = 0, p ← z − Σ_i μ_i·w_i without reading p
     * (so stale contents of p never matter).
     */
    @Override
    public void direction(int n, double[] z, double beta, double[][] w, double[] mu, double[] p) {
        int k = w.length;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int hi = Math.min(n, lo + CHUNK);
            if (beta == 0) {
                for (int r = lo; r < hi; r++) p[r] = z[r];
            } else {
                for (int r = lo; r < hi; r++) p[r] = z[r] + beta * p[r];
            }
            for (int i = 0; i < k; i++) {
                double c = -mu[i];
                double[] wi = w[i];
                for (int r = lo; r < hi; r++) p[r] += c * wi[r];
            }
        }
    }

    /** x ← x + Σ_i μ_i·w_i in one pass. */
    @Override
    public void addCombination(int n, double[][] w, double[] mu, double[] x) {
        int k = w.length;
        for (int lo = 0; lo < n; lo += CHUNK) {
            int hi = Math.min(n, lo + CHUNK);
            for (int i = 0; i < k; i++) {
                double c = mu[i];
                double[] wi = w[i];
                for (int r = lo; r < hi; r++) x[r] += c * wi[r];
            }
        }
    }
}
