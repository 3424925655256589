package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * Extreme eigenvalue estimates of D⁻¹A for symmetric A with positive diagonal D, from a few
 * Lanczos steps on the similar symmetric matrix D^{-1/2}·A·D^{-1/2} (Saad, "Numerical Methods
 * for Large Eigenvalue Problems", 2nd ed., §6.6; Golub and Van Loan, 4th ed., §10.1). The Ritz
 * values lie inside the spectrum, so {@code max} underestimates λ_max and {@code min}
 * overestimates λ_min: callers widen the upper bound (PETSc's Chebyshev uses 1.1·λ_max,
 * KSPChebyshevEstEigSet).
 *
 * @param min smallest Ritz value
 * @param max largest Ritz value
 * @param steps Lanczos steps actually taken (fewer when the Krylov space became invariant)
 */
public record LanczosBounds(double min, double max, int steps) {

    /**
     * Runs up to {@code steps} Lanczos steps from a fixed pseudo-random start vector (seeded,
     * so the same matrix always gives the same bounds). {@code invDiag} null means D = I.
     */
    public static LanczosBounds estimate(SparseOperator a, KrylovKernels k, double[] invDiag, int steps) {
        int n = a.rows();
        int m = Math.min(steps, n);
        double[] sqrtInv = new double[n];
        for (int i = 0; i < n; i++) sqrtInv[i] = invDiag == null ? 1 : Math.sqrt(invDiag[i]);
        double[] v = new double[n], vPrev = new double[n], w = new double[n], t = new double[n];
        long s = 0x9E3779B97F4A7C15L;                    // SplitMix64 (Steele et al., OOPSLA 2014)
        for (int i = 0; i < n; i++) {
            s += 0x9E3779B97F4A7C15L;
            long z = s;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            v[i] = 0.5 + ((z ^ (z >>> 31)) >>> 11) * 0x1.0p-53; // positive start: overlaps the smooth modes
        }
        k.scale(n, 1 / k.norm2(n, v), v);
        double[] alpha = new double[m], beta = new double[m];
        int j = 0;
        double betaPrev = 0;
        for (; j < m; j++) {
            for (int i = 0; i < n; i++) t[i] = sqrtInv[i] * v[i];
            a.apply(t, w);
            for (int i = 0; i < n; i++) w[i] *= sqrtInv[i];
            if (j > 0) k.axpy(n, -betaPrev, vPrev, w);
            double al = k.dot(n, w, v);
            alpha[j] = al;
            k.axpy(n, -al, v, w);
            double be = k.norm2(n, w);
            beta[j] = be;
            if (!(be > 1e-14 * Math.abs(al))) { j++; break; }
            k.copy(n, v, vPrev);
            k.copy(n, w, v);
            k.scale(n, 1 / be, v);
            betaPrev = be;
        }
        return new LanczosBounds(extreme(alpha, beta, j, false), extreme(alpha, beta, j, true), j);
    }

    /** Smallest or largest eigenvalue of the j×j tridiagonal (α, β) by Sturm bisection (Golub and Van Loan §8.4.1). */
    static double extreme(double[] alpha, double[] beta, int j, boolean largest) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < j; i++) {                   // Gershgorin interval
            double rad = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < j - 1 ? Math.abs(beta[i]) : 0);
            lo = Math.min(lo, alpha[i] - rad);
            hi = Math.max(hi, alpha[i] + rad);
        }
        int target = largest ? j : 1;                   // count of eigenvalues < λ that brackets the wanted one
        for (int iter = 0; iter < 200 && hi - lo > 1e-13 * Math.max(Math.abs(lo), Math.abs(hi)); iter++) {
            double mid = 0.5 * (lo + hi);
            if (countBelow(alpha, beta, j, mid) >= target) hi = mid;
            else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    private static int countBelow(double[] alpha, double[] beta, int j, double x) {
        int count = 0;
        double d = 1;
        for (int i = 0; i < j; i++) {
            double b2 = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
            d = alpha[i] - x - (i > 0 ? b2 / d : 0);
            if (d == 0) d = 1e-300;
            if (d < 0) count++;
        }
        return count;
    }
}
