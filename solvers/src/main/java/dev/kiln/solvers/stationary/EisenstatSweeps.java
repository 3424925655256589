package dev.kiln.solvers.stationary;

/**
 * The two triangular sweeps of SSOR-preconditioned CG with Eisenstat's trick (S. C. Eisenstat,
 * "Efficient implementation of a class of preconditioned conjugate gradient methods", SIAM J.
 * Sci. Stat. Comput. 2(1), 1981): with E = D/ω, L̂ = E + L and Û = E + U, A = L̂ + Û − (2E − D),
 * so the product with A that PCG needs comes out of the two SSOR solves: p = Û⁻¹w and
 * L̂⁻¹A·p = p + L̂⁻¹(w − (2E − D)·p). Per iteration that reads the matrix once, where SpMV plus
 * SSOR reads it twice.
 *
 * <p>Public so the Krylov package's {@code EisenstatSsorCg} can reach the split's arrays; no
 * checks, no allocation. Runs on the caller's thread.
 */
public final class EisenstatSweeps {
    private EisenstatSweeps() {}

    /**
     * Backward sweep: w_i ← r̃_i + β·w_i (the new search direction, formed as the row is reached),
     * then t = Û⁻¹·w, rows n−1..0, summed in descending j so t_{i+1} comes last (as
     * {@link SplitMatrix#upperSolve}, whose register carry this shares).
     */
    public static void backward(SplitMatrix s, double omega, double[] rTilde, double beta, double[] w, double[] t) {
        final int[] rowPtr = s.rowPtr, colIdx = s.colIdx, diagPos = s.diagPos;
        final double[] values = s.values, inv = s.inverseDiagonal;
        if (s.carry) {
            double prev = 0;   // t_{i+1}
            for (int i = s.n - 1; i >= 0; i--) {
                double sum = rTilde[i] + beta * w[i];
                w[i] = sum;
                int d = diagPos[i], k = rowPtr[i + 1] - 1;
                if (k > d && colIdx[d + 1] == i + 1) {
                    for (; k > d + 1; k--) sum -= values[k] * t[colIdx[k]];
                    sum -= values[d + 1] * prev;
                } else {
                    for (; k > d; k--) sum -= values[k] * t[colIdx[k]];
                }
                prev = sum * (omega * inv[i]);
                t[i] = prev;
            }
            return;
        }
        for (int i = s.n - 1; i >= 0; i--) {
            double sum = rTilde[i] + beta * w[i];
            w[i] = sum;
            for (int k = rowPtr[i + 1] - 1, d = diagPos[i]; k > d; k--) sum -= values[k] * t[colIdx[k]];
            t[i] = sum * (omega * inv[i]);
        }
    }

    /**
     * Forward sweep, rows 0..n−1: s = L̂⁻¹·(w − (2E − D)·t), summed in ascending j so s_{i−1}
     * comes last (carried in a register as {@link SplitMatrix#lowerSolve} does). Returns
     * wᵀ(t + s), which is pᵀAp for p = t when A is symmetric (Û = L̂ᵀ).
     */
    public static double forward(SplitMatrix s, double omega, double[] w, double[] t, double[] sv) {
        final int[] rowPtr = s.rowPtr, colIdx = s.colIdx, diagPos = s.diagPos;
        final double[] values = s.values, inv = s.inverseDiagonal, diag = s.diagonal;
        final double kFactor = (2 - omega) / omega;   // (2E − D)_ii = (2/ω − 1)·d_ii
        double curvature = 0;
        if (s.carry) {
            double prev = 0;                          // s_{i−1}
            for (int i = 0; i < s.n; i++) {
                int d = diagPos[i], k = rowPtr[i];
                double ti = t[i], wi = w[i];
                double acc = wi - kFactor * diag[i] * ti;
                if (d > k && colIdx[d - 1] == i - 1) {
                    for (; k < d - 1; k++) acc -= values[k] * sv[colIdx[k]];
                    acc -= values[d - 1] * prev;
                } else {
                    for (; k < d; k++) acc -= values[k] * sv[colIdx[k]];
                }
                prev = acc * (omega * inv[i]);
                sv[i] = prev;
                curvature += wi * (ti + prev);
            }
            return curvature;
        }
        for (int i = 0; i < s.n; i++) {
            int d = diagPos[i];
            double ti = t[i], wi = w[i];
            double acc = wi - kFactor * diag[i] * ti;
            for (int k = rowPtr[i]; k < d; k++) acc -= values[k] * sv[colIdx[k]];
            double si = acc * (omega * inv[i]);
            sv[i] = si;
            curvature += wi * (ti + si);
        }
        return curvature;
    }

    /**
     * ‖L̂·E⁻¹·r̃‖² = ‖r̃ + L·y‖² with y = E⁻¹r̃: the square norm of the residual the recursion on r̃
     * stands for. No dependent chain (a product, not a solve).
     */
    public static double derivedResidualNorm2(SplitMatrix s, double[] rTilde, double[] y) {
        final int[] rowPtr = s.rowPtr, colIdx = s.colIdx, diagPos = s.diagPos;
        final double[] values = s.values;
        double rr = 0;
        for (int i = 0; i < s.n; i++) {
            double ri = rTilde[i];
            for (int k = rowPtr[i], d = diagPos[i]; k < d; k++) ri += values[k] * y[colIdx[k]];
            rr += ri * ri;
        }
        return rr;
    }

    /**
     * x += α·t, r̃ −= α·E·(t + s), y = E⁻¹·r̃; returns ρ = rᵀM⁻¹r = r̃ᵀy for β.
     */
    public static double update(SplitMatrix s, double omega, double alpha, double[] t, double[] sv,
                                double[] x, double[] rTilde, double[] y) {
        // the diagonal from its own array: read through diagPos (a gather) the pass took 1.7–2×
        // as long (bcsstk08 2.30 → 1.37 µs, crystm01 10.6 → 5.9); two interleaved sums instead of
        // one were slower still (3.19 µs; measured here 29 Nov, standalone, best of 5000)
        final double[] diag = s.diagonal, inv = s.inverseDiagonal;
        final double alphaOverOmega = alpha / omega;
        double rho = 0;
        for (int i = 0; i < s.n; i++) {
            double ti = t[i];
            x[i] += alpha * ti;
            double rt = rTilde[i] - alphaOverOmega * diag[i] * (ti + sv[i]);
            rTilde[i] = rt;
            double yi = rt * (omega * inv[i]);
            y[i] = yi;
            rho += rt * yi;
        }
        return rho;
    }

    /**
     * r̃ = E·L̂⁻¹·r (forward substitution; y = L̂⁻¹r = E⁻¹r̃ is held in {@code y}); returns
     * ρ = rᵀM⁻¹r = r̃ᵀy. Starts the iteration and restarts it after a residual replacement.
     */
    public static double start(SplitMatrix s, double omega, double[] r, double[] rTilde, double[] y) {
        s.lowerSolve(omega, r, y);                    // y = L̂⁻¹r
        final double[] diag = s.diagonal;
        final double invOmega = 1 / omega;
        double rho = 0;
        for (int i = 0; i < s.n; i++) {
            double rt = invOmega * diag[i] * y[i];   // r̃ = E·y
            rTilde[i] = rt;
            rho += rt * y[i];
        }
        return rho;
    }
}
