package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.train.LinearOperator;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The analog device's dynamics: dx = −(A·x − b)·dt + √(2κ₀)·dW, time in units of τ (TNGD
 * paper Eq. 15/22; Aifer et al. 2024 Eq. 2). For SPD A its stationary law is
 * N(A⁻¹b, κ₀A⁻¹), so the time average of x after a burn-in estimates the solution of A·x = b
 * with error √(2κ₀·tr(A⁻²)/t_avg) (Aifer et al. 2024, §3: the long-run covariance of an OU
 * time average is 2κ₀A⁻²/t).
 *
 * <p>Two integrators, chosen by size:
 * <ul>
 * <li><b>exact</b> (small dense A): A = QΛQᵀ once; then each mode evolves by its exact
 *     transition y ← e^{−λh}y + (1 − e^{−λh})/λ·c + √(κ₀(1 − e^{−2λh})/λ)·z (the issue's
 *     x ← x* + e^{−Ah}(x − x*) + Lz written per mode, with c = Qᵀb). The answer A⁻¹b is never
 *     computed: it emerges only as the state relaxes.</li>
 * <li><b>Euler–Maruyama</b> (large or matrix-free A): x ← x − h(A·x − b) + √(2κ₀h)·z with
 *     z = ±1 (the weak form, see {@link #advance}) and h ≤ 0.1/λ_max (the TNGD paper simulated with h = 0.1τ, §5). Its mean is unbiased (x* is
 *     the fixed point), its stationary covariance is κ₀A⁻¹(I − hA/2)⁻¹, an O(h) bias of at
 *     most 1/(1 − 0.05) ≈ +5 % at h = 0.1/λ_max; the long-run variance of its time average,
 *     2κ₀A⁻²/t, is exact for any stable h.</li>
 * </ul>
 * One instance is one programmed device; not thread-safe.
 */
final class OrnsteinUhlenbeckDevice {
    private final int n;
    private final double noise;
    private final double h;
    // exact integrator
    private final double[][] q;       // eigenvectors (columns), null for Euler–Maruyama
    private final double[] decay;     // e^{−λh}
    private final double[] gain;      // (1 − e^{−λh})/λ
    private final double[] spread;    // √(κ₀(1 − e^{−2λh})/λ)
    private final double[] lambda;
    // Euler–Maruyama
    private final LinearOperator a;

    private OrnsteinUhlenbeckDevice(int n, double noise, double h, double[][] q, double[] lambda, LinearOperator a) {
        this.n = n;
        this.noise = noise;
        this.h = h;
        this.q = q;
        this.a = a;
        this.lambda = lambda;
        if (q != null) {
            decay = new double[n];
            gain = new double[n];
            spread = new double[n];
            for (int k = 0; k < n; k++) {
                double l = lambda[k];
                decay[k] = Math.exp(-l * h);
                gain[k] = -Math.expm1(-l * h) / l;
                spread[k] = Math.sqrt(noise * -Math.expm1(-2 * l * h) / l);
            }
        } else {
            decay = gain = spread = null;
        }
    }

    /** Exact transitions for a small dense SPD A; sampling interval h (τ). Null when A is not positive definite. */
    static OrnsteinUhlenbeckDevice exact(double[][] dense, double noise, double h) {
        SymmetricEigen e = SymmetricEigen.of(dense);
        if (!(e.min() > 0)) return null;
        return new OrnsteinUhlenbeckDevice(dense.length, noise, h, e.vectors, e.values, null);
    }

    /** Euler–Maruyama on an operator with step h (τ). */
    static OrnsteinUhlenbeckDevice eulerMaruyama(LinearOperator a, int n, double noise, double h) {
        return new OrnsteinUhlenbeckDevice(n, noise, h, null, null, a);
    }

    boolean isExact() { return q != null; }

    double step() { return h; }

    /** √(2κ₀·tr(A⁻²)/t): the predicted RMS error of a t-long time average; NaN unless exact (it needs the spectrum). */
    double predictedError(double averagingTime) {
        if (lambda == null) return Double.NaN;
        double tr = 0;
        for (double l : lambda) tr += 1 / (l * l);
        return Math.sqrt(2 * noise * tr / averagingTime);
    }

    /** A time-average estimate: the mean, its batch-means standard error (RMS norm), the final state. */
    record Estimate(double[] mean, double standardError, double[] finalState, long steps, boolean stopped, boolean diverged) { }

    /**
     * Runs from x0 for {@code burnIn} τ, then averages x over {@code averaging} τ in
     * {@code batches} consecutive batches (batch means, Flegal & Jones 2010, give the standard
     * error). {@code stop} is polled every 1024 steps.
     */
    Estimate average(double[] b, double[] x0, double burnIn, double averaging, int batches, SplittableRandom rnd, BooleanSupplier stop) {
        long burnSteps = (long) Math.ceil(burnIn / h);
        long avgSteps = Math.max(batches, (long) Math.ceil(averaging / h));
        long perBatch = avgSteps / batches;
        avgSteps = perBatch * batches;
        double[] x = toDevice(x0);
        double[] c = toDevice(b);
        double[] work = new double[n];
        long steps = 0;
        for (long s = 0; s < burnSteps; s++) {
            advance(x, c, work, rnd);
            if ((++steps & 1023) == 0 && stop.getAsBoolean()) return new Estimate(fromDevice(x), Double.NaN, fromDevice(x), steps, true, false);
        }
        double[][] batchMeans = new double[batches][n];
        for (int bi = 0; bi < batches; bi++) {
            double[] acc = batchMeans[bi];
            for (long s = 0; s < perBatch; s++) {
                advance(x, c, work, rnd);
                for (int i = 0; i < n; i++) acc[i] += x[i];
                if ((++steps & 1023) == 0 && stop.getAsBoolean()) return new Estimate(fromDevice(x), Double.NaN, fromDevice(x), steps, true, false);
            }
            for (int i = 0; i < n; i++) acc[i] /= perBatch;
            if (!Double.isFinite(acc[0]) || !allFinite(x)) return new Estimate(fromDevice(x), Double.NaN, fromDevice(x), steps, false, true);
        }
        double[] mean = new double[n];
        for (double[] bm : batchMeans) for (int i = 0; i < n; i++) mean[i] += bm[i] / batches;
        double var = 0; // Σ_i var(mean_i): trace of the estimator's covariance (rotation-invariant)
        for (double[] bm : batchMeans) for (int i = 0; i < n; i++) var += (bm[i] - mean[i]) * (bm[i] - mean[i]);
        var /= (double) batches * (batches - 1);
        return new Estimate(fromDevice(mean), Math.sqrt(var), fromDevice(x), steps, false, !allFinite(mean));
    }

    /** Runs from x0 for {@code time} τ and returns the final state (TNGD reads the state, not an average). */
    double[] evolve(double[] b, double[] x0, double time, SplittableRandom rnd) {
        long steps = Math.round(time / h);
        double[] x = toDevice(x0);
        double[] c = toDevice(b);
        double[] work = new double[n];
        for (long s = 0; s < steps; s++) advance(x, c, work, rnd);
        return fromDevice(x);
    }

    private void advance(double[] x, double[] c, double[] work, SplittableRandom rnd) {
        if (q != null) {
            for (int k = 0; k < n; k++) {
                x[k] = decay[k] * x[k] + gain[k] * c[k] + (noise > 0 ? spread[k] * rnd.nextGaussian() : 0);
            }
        } else {
            a.apply(x, work);
            double s = noise > 0 ? Math.sqrt(2 * noise * h) : 0;
            if (s == 0) {
                for (int i = 0; i < n; i++) x[i] -= h * (work[i] - c[i]);
                return;
            }
            // Two-point increments ±√(2κ₀h), one random bit each: the simplified weak Euler scheme
            // (Kloeden & Platen, "Numerical Solution of SDEs", 1992, §14.1). Same weak order 1 and
            // the same first two moments as Gaussian increments, so the stationary mean, the O(h)
            // covariance bias and the time-average variance above are unchanged; it is ~10× cheaper
            // than a Gaussian per cell, which dominates a sparse device's step.
            long word = 0;
            for (int i = 0; i < n; i++) {
                if ((i & 63) == 0) word = rnd.nextLong();
                double z = (word & 1L) == 0 ? s : -s;
                word >>>= 1;
                x[i] += -h * (work[i] - c[i]) + z;
            }
        }
    }

    /** Into the integrator's coordinates: eigen-coordinates Qᵀv for the exact integrator. */
    private double[] toDevice(double[] v) {
        if (q == null) return v == null ? new double[n] : v.clone();
        double[] y = new double[n];
        if (v == null) return y;
        for (int i = 0; i < n; i++) {
            double vi = v[i];
            if (vi == 0) continue;
            double[] qi = q[i];
            for (int k = 0; k < n; k++) y[k] += qi[k] * vi;
        }
        return y;
    }

    private double[] fromDevice(double[] y) {
        if (q == null) return y.clone();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double[] qi = q[i];
            double s = 0;
            for (int k = 0; k < n; k++) s += qi[k] * y[k];
            v[i] = s;
        }
        return v;
    }

    private static boolean allFinite(double[] v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }
}
