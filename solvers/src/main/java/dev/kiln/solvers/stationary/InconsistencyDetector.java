package dev.kiln.solvers.stationary;

import static dev.kiln.solvers.kernel.ScalarKernels.dot;
import static dev.kiln.solvers.kernel.ScalarKernels.norm2;
import static dev.kiln.solvers.kernel.ScalarKernels.spmv;

/**
 * Certifies that A·x = b has no solution from the iterates of a stationary method.
 *
 * <p>Why it works: SOR/SSOR is a fixed-point iteration x_{k+1} = T(x_k). When T has no fixed
 * point, the difference x_{k+1} − x_k converges to the infimal displacement vector d ≠ 0 of T
 * (Pazy 1971; used as an infeasibility certificate in "Accelerated Infeasibility Detection of
 * Constrained Optimization and Fixed-Point Iterations", Park and Ryu, ICML 2023, §2). For a
 * splitting M·x_{k+1} = N·x_k + b that means b − A·x_k → M·d and A·d = 0, and with bᵀd ≠ 0 the
 * Fredholm alternative (for symmetric A: b must be orthogonal to the null space) proves the
 * system inconsistent. A convergent iteration has x_{k+1} − x_k ≈ ρᵏ·v with ρ &lt; 1, which shrinks:
 * the magnitude test rules it out, and A·v = (1 − ρ)·M·v keeps the null-vector test from
 * passing unless ρ is within about {@link #NULL_TOLERANCE} of 1.
 *
 * <p>Decision: we detect the plain (un-accelerated) limit, not Park and Ryu's Halpern-anchored
 * variant, so detection takes as many sweeps as the subdominant mode needs to die out; the
 * accelerated variant is future work. Tests (all relative, chosen well above fp64 rounding of
 * ~1e-16 per sweep and well below any convergent SOR's per-sweep progress):
 * direction ‖u_k − u_{k−1}‖ ≤ {@link #DIRECTION_TOLERANCE} with u = δ/‖δ‖; magnitude
 * ‖δ_k‖ ≥ (1 − {@link #DIRECTION_TOLERANCE})·‖δ_{k−1}‖; null vector ‖A·δ‖ ≤ NULL_TOLERANCE·‖A‖_F·‖δ‖;
 * and |bᵀδ| ≥ {@link #ALIGNMENT_TOLERANCE}·‖b‖·‖δ‖. Checked only every {@link #CHECK_EVERY} sweeps,
 * so its cost (one extra product) vanishes in the sweep count.
 */
final class InconsistencyDetector {
    static final double DIRECTION_TOLERANCE = 1e-7;
    static final double NULL_TOLERANCE = 1e-9;
    static final double ALIGNMENT_TOLERANCE = 1e-6;
    static final int CHECK_EVERY = 16;

    private final SplitMatrix a;
    private final double frobenius;
    private final double[] previous;
    private final double[] scratch;
    private double previousNorm = Double.NaN;

    InconsistencyDetector(SplitMatrix a) {
        this.a = a;
        this.frobenius = Math.sqrt(dot(a.values.length, a.values, a.values));
        this.previous = new double[a.n];
        this.scratch = new double[a.n];
    }

    /**
     * Feeds δ = x_{k+1} − x_k (in {@code delta}) at sweep k. Returns ‖d‖ when the certificate
     * holds, else NaN.
     */
    double offer(int k, double[] delta, double[] b, double bnorm) {
        boolean compare = k % CHECK_EVERY == 0;
        boolean remember = (k + 1) % CHECK_EVERY == 0;
        if (!compare && !remember) return Double.NaN;
        int n = a.n;
        double dn = norm2(n, delta);
        double result = Double.NaN;
        if (compare && previousNorm > 0 && dn > 0) {
            double diff = 0;
            for (int i = 0; i < n; i++) {
                double e = delta[i] / dn - previous[i] / previousNorm;
                diff += e * e;
            }
            if (Math.sqrt(diff) <= DIRECTION_TOLERANCE && dn >= (1 - DIRECTION_TOLERANCE) * previousNorm) {
                spmv(n, a.rowPtr, a.colIdx, a.values, delta, scratch);
                boolean nullVector = norm2(n, scratch) <= NULL_TOLERANCE * frobenius * dn;
                boolean aligned = Math.abs(dot(n, b, delta)) >= ALIGNMENT_TOLERANCE * bnorm * dn;
                if (nullVector && aligned) result = dn;
            }
        }
        if (remember) {
            System.arraycopy(delta, 0, previous, 0, n);
            previousNorm = dn;
        }
        return result;
    }
}
