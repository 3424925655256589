package dev.kiln.solvers.krylov;

/**
 * The block vector operations subspace recycling needs per iteration and per solve, beside the
 * {@link dev.kiln.solvers.kernel.KrylovKernels}: k dot products against one vector, a search
 * direction update against k vectors, and linear combinations of stored vectors.
 *
 * <p>Why a separate interface: done as k separate dot/axpy kernel calls, each is a pass over the
 * shared vector (and, on the CPU backend's threaded kernels, a hand-off to the worker pool);
 * measured on 128² Poisson, 16 such calls per deflated iteration made it 2.5–3× as slow as a CG
 * iteration. A block call reads the shared vector once per few basis vectors. As with
 * {@code KrylovKernels}, the algorithm ({@link DeflatedConjugateGradient}) is written once above
 * this interface: {@link ScalarBlockKernels} is the reference, a backend may supply SIMD versions.
 *
 * <p>Contract: every method works on the first {@code n} elements, does no checks, never
 * allocates, and gives the same bits on every call with the same input.
 */
public interface BlockKernels {
    /** out[i] = vs[i]ᵀz for every i. */
    void dots(int n, double[][] vs, double[] z, double[] out);

    /**
     * p ← z + β·p − Σ_i μ_i·w_i; with β = 0, p ← z − Σ_i μ_i·w_i without reading p (stale
     * contents of p never matter).
     */
    void direction(int n, double[] z, double beta, double[][] w, double[] mu, double[] p);

    /** x ← x + Σ_i μ_i·w_i. */
    void addCombination(int n, double[][] w, double[] mu, double[] x);

    /** out[j] = Σ_s coef[s][j]·scale[s]·sources[s] for each output j (overwrites out[j]). */
    void combine(int n, double[][] sources, double[] scale, double[][] coef, double[][] out);
}
