package dev.kiln.solvers.stationary;

/**
 * The two triangular sweeps of SSOR-preconditioned CG with Eisenstat's trick (S. C. Eisenstat,
 * "Efficient implementation of a class of preconditioned conjugate gradient methods", SIAM J.
 * Sci. Stat. Comput. 2(1), 1981): with E = D/ω, L̂ = E + L and Û = E + U, A = L̂ + Û − (2E − D),
 * so the product with A that PCG needs comes out of the two SSOR solves: p = Û⁻¹w and
 * L̂⁻¹A·p = p + L̂⁻¹(w − (2E − D)·p). Per iteration that reads the matrix once, where SpMV plus
 * SSOR reads it twice. The residual the stopping test needs, r = L̂E⁻¹r̃, rides in the forward
 * sweep's row loop beside the dependent chain, one iteration late.
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
        final boolean carry = s.carry;
        double prev = 0;   // t_{i+1}
        for (int i = s.n - 1; i >= 0; i--) {
            double wi = rTilde[i] + beta * w[i];
            w[i] = wi;
            double sum = wi;
            int d = diagPos[i], k = rowPtr[i + 1] - 1;
            if (carry && k > d && colIdx[d + 1] == i + 1) {
                for (; k > d + 1; k--) sum -= values[k] * t[colIdx[k]];
                sum -= values[d + 1] * prev;
            } else {
                for (; k > d; k--) sum -= values[k] * t[colIdx[k]];
            }
            prev = sum * (omega * inv[i]);
            t[i] = prev;
        }
    }

    /**
     * Forward sweep, rows 0..n−1: s = L̂⁻¹·(w − (2E − D)·t), and in the same row loop the residual
     * of the current x, r = L̂·E⁻¹·r̃ = r̃ + L·y with y = E⁻¹r̃ (from {@link #update}), whose sum
     * is off the chain. Writes out[0] = wᵀ(t + s), which is pᵀAp for p = t when A is symmetric
     * (Û = L̂ᵀ), and out[1] = rᵀr.
     */
    public static void forward(SplitMatrix s, double omega, double[] w, double[] t, double[] sv, double[] rTilde,
                               double[] y, double[] out) {
        final int[] rowPtr = s.rowPtr, colIdx = s.colIdx, diagPos = s.diagPos;
        final double[] values = s.values, inv = s.inverseDiagonal;
        final double kFactor = (2 - omega) / omega;   // (2E − D)_ii = (2/ω − 1)·d_ii
        final boolean carry = s.carry;
        double curvature = 0, rr = 0, prev = 0;       // prev: s_{i−1}
        for (int i = 0; i < s.n; i++) {
            int d = diagPos[i], k = rowPtr[i];
            double ti = t[i], wi = w[i];
            double acc = wi - kFactor * values[d] * ti, ly = 0;
            if (carry && d > k && colIdx[d - 1] == i - 1) {
                for (; k < d - 1; k++) {
                    double a = values[k];
                    int j = colIdx[k];
                    acc -= a * sv[j];
                    ly += a * y[j];
                }
                acc -= values[d - 1] * prev;
                ly += values[d - 1] * y[i - 1];
            } else {
                for (; k < d; k++) {
                    double a = values[k];
                    int j = colIdx[k];
                    acc -= a * sv[j];
                    ly += a * y[j];
                }
            }
            double si = acc * (omega * inv[i]);
            sv[i] = si;
            prev = si;
            curvature += wi * (ti + si);
            double ri = rTilde[i] + ly;
            rr += ri * ri;
        }
        out[0] = curvature;
        out[1] = rr;
    }

    /**
     * x += α·t, r̃ −= α·E·(t + s), y = E⁻¹·r̃; returns ρ = rᵀM⁻¹r = r̃ᵀy for β.
     */
    public static double update(SplitMatrix s, double omega, double alpha, double[] t, double[] sv,
                                double[] x, double[] rTilde, double[] y) {
        final double[] values = s.values, inv = s.inverseDiagonal;
        final int[] diagPos = s.diagPos;
        final double alphaOverOmega = alpha / omega;
        double rho = 0;
        for (int i = 0; i < s.n; i++) {
            double ti = t[i];
            x[i] += alpha * ti;
            double rt = rTilde[i] - alphaOverOmega * values[diagPos[i]] * (ti + sv[i]);
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
        final double[] values = s.values;
        final int[] diagPos = s.diagPos;
        final double invOmega = 1 / omega;
        double rho = 0;
        for (int i = 0; i < s.n; i++) {
            double rt = invOmega * values[diagPos[i]] * y[i];   // r̃ = E·y
            rTilde[i] = rt;
            rho += rt * y[i];
        }
        return rho;
    }
}
