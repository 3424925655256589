package dev.kiln.runtime.routing;

/**
 * A robust fit of y = θ₀ + θ₁·work + θ₂·bytes with relative errors: a fixed launch cost plus
 * parts linear in the work and in the bytes to move, the shape of a device's time (launch +
 * transfer + compute; StarPU's linear-regression models fit the same a + b·size for the same
 * reason: Augonnet et al., "StarPU", CCPE 2011, §4). {@link LogLinearModel}'s one straight line
 * in log–log space cannot follow such a curve from its flat part to its linear part.
 *
 * <p>Fit: weighted least squares on each row scaled by 1/y, so a residual is a relative error
 * (≈ ln(y/ŷ)) and a 100 ms job does not drown a 1 ms one; the weights are Huber's (k =
 * {@link LogLinearModel#HUBER_K}) on ln(y/ŷ) standardised by the predictive deviation, as in
 * {@link LogLinearModel}. Kept as the 3×3 weighted normal equations, re-solved on each
 * observation (with a ridge of δ = {@link #RIDGE} times each diagonal entry, Levenberg's
 * scale-free form of Haykin's small δ, so a slow backend's small scaled entries are not shrunk
 * to nothing), so there is no RLS round-off drift. Work is in units of
 * {@link #WORK_UNIT} and bytes of {@link #BYTES_UNIT} to keep the normal matrix well
 * conditioned. Predictions are floored at half the fastest run seen: a fit with a negative
 * intercept would otherwise predict ≤ 0 for small jobs.
 *
 * <p>Not thread-safe: {@link PerformanceModel} guards it.
 */
final class AffineModel {
    static final int DIM = 3;
    /** Relative ridge on the normal matrix's diagonal, as {@link LogLinearModel#P0}'s δ = 10⁻⁴. */
    static final double RIDGE = 1e-4;
    /** Absolute ridge, for a feature never seen non-zero (bytes on a host backend): keeps A + δ invertible. */
    static final double RIDGE_ABS = 1e-12;
    /** Work feature unit: 10⁶ (a 1 000-unknown CG iteration is ~10⁴). */
    static final double WORK_UNIT = 1e6;
    /** Bytes feature unit: 1 MB. */
    static final double BYTES_UNIT = 1e6;

    /** Σ w x'x'ᵀ, row-major, with x' = x / y. */
    final double[] a = new double[DIM * DIM];
    /** Σ w x' (the scaled target is 1). */
    final double[] b = new double[DIM];
    final double[] theta = new double[DIM];
    /** (A + D)⁻¹, row-major: the parameters' covariance in units of σ². */
    final double[] p = new double[DIM * DIM];
    double sigma2 = LogLinearModel.SIGMA2_PRIOR;
    long samples;
    double minMs = Double.POSITIVE_INFINITY;

    AffineModel() {
        solve();
    }

    static double[] vector(double work, double bytes) {
        return new double[] {1.0, work / WORK_UNIT, bytes / BYTES_UNIT};
    }

    /** Predicted y at x (floored; NaN before the first sample). */
    double mean(double[] x) {
        if (samples == 0) return Double.NaN;
        double m = 0;
        for (int i = 0; i < DIM; i++) m += theta[i] * x[i];
        return Math.max(m, 0.5 * minMs);
    }

    /** Predictive variance of ln(y) at x: σ²(1 + x'ᵀPx'), x' = x/ŷ. */
    double logVariance(double[] x) {
        double y = mean(x);
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            double row = 0;
            for (int j = 0; j < DIM; j++) row += p[i * DIM + j] * x[j];
            s += x[i] * row;
        }
        return sigma2 * (1 + s / (y * y));
    }

    /** Learns y &gt; 0 at x. Returns the Huber weight it got. */
    double observe(double[] x, double y) {
        double w = 1.0;
        if (samples >= DIM) {
            double e = Math.log(y / mean(x));
            double r = Math.abs(e) / Math.sqrt(logVariance(x));
            w = r <= LogLinearModel.HUBER_K ? 1.0 : LogLinearModel.HUBER_K / r;
            // Same running noise scale as LogLinearModel: winsorised at 3σ, the prior as one sample.
            double cap = LogLinearModel.WINSOR_K * LogLinearModel.WINSOR_K * sigma2;
            long m = samples - DIM + 1;
            double alpha = m <= LogLinearModel.SIGMA_WINDOW ? 1.0 / (m + 1) : 1.0 / LogLinearModel.SIGMA_WINDOW;
            double lev = logVariance(x) / sigma2 - 1;
            double e2 = Math.min(e * e / (1 + lev), cap);
            sigma2 = Math.max(LogLinearModel.SIGMA_FLOOR * LogLinearModel.SIGMA_FLOOR, (1 - alpha) * sigma2 + alpha * e2);
        }
        for (int i = 0; i < DIM; i++) {
            double xi = x[i] / y;
            b[i] += w * xi;
            for (int j = 0; j < DIM; j++) a[i * DIM + j] += w * xi * x[j] / y;
        }
        samples++;
        minMs = Math.min(minMs, y);
        solve();
        return w;
    }

    /** θ = (A + D)⁻¹ b and P = (A + D)⁻¹, D the ridge, by Gauss–Jordan on the 3×3 SPD matrix. */
    void solve() {
        double[] m = new double[DIM * DIM];
        for (int i = 0; i < DIM * DIM; i++) m[i] = a[i];
        for (int i = 0; i < DIM; i++) m[i * DIM + i] += RIDGE * a[i * DIM + i] + RIDGE_ABS;
        double[] inv = new double[DIM * DIM];
        for (int i = 0; i < DIM; i++) inv[i * DIM + i] = 1;
        for (int c = 0; c < DIM; c++) {
            double piv = m[c * DIM + c]; // > 0: A is positive semi-definite and the ridge positive
            for (int j = 0; j < DIM; j++) {
                m[c * DIM + j] /= piv;
                inv[c * DIM + j] /= piv;
            }
            for (int r = 0; r < DIM; r++) {
                if (r == c) continue;
                double f = m[r * DIM + c];
                if (f == 0) continue;
                for (int j = 0; j < DIM; j++) {
                    m[r * DIM + j] -= f * m[c * DIM + j];
                    inv[r * DIM + j] -= f * inv[c * DIM + j];
                }
            }
        }
        System.arraycopy(inv, 0, p, 0, DIM * DIM);
        for (int i = 0; i < DIM; i++) {
            double t = 0;
            for (int j = 0; j < DIM; j++) t += inv[i * DIM + j] * b[j];
            theta[i] = t;
        }
    }
}
