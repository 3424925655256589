package dev.kiln.runtime.routing;

/**
 * A robust recursive-least-squares fit of ln(y) = θ·x with the uncertainty to go with it,
 * learned one observation at a time. The cost model keeps one per backend × kind for time
 * (and one for energy): run time of sparse solvers is close to a power law in the work
 * (StarPU's regression models fit a·size^b for the same reason: Augonnet et al., "StarPU",
 * CCPE 2011, §4), which is a straight line in log–log space.
 *
 * <p>Update: weighted RLS (Haykin, <i>Adaptive Filter Theory</i>, 4th ed., §9.3) with no
 * forgetting, the weight from Huber's M-estimator (Huber, "Robust estimation of a location
 * parameter", Ann. Math. Stat. 1964): a residual more than {@link #HUBER_K} predictive standard
 * deviations out is down-weighted to k/|r|, so one slow run (a GC pause, a noisy neighbour)
 * moves the fit by at most about k standard deviations' worth, not its full size. The noise
 * scale σ² is a running mean of squared residuals winsorised at {@link #WINSOR_K}·σ, for the
 * same reason; the prior σ² counts as one sample.
 *
 * <p>Predictive variance of ln(y) at x is σ²(1 + xᵀPx), P being the RLS inverse-information
 * matrix (so σ²P is the parameters' covariance). Predictions are <i>trusted</i> only after
 * {@link #MIN_SAMPLES} observations and inside the range of the work feature seen so far,
 * widened by a factor of {@link #RANGE_SLACK} either way (StarPU trusts its history only
 * within the sizes it measured; perfmodel_history.c).
 *
 * <p>Not thread-safe: {@link PerformanceModel} guards it.
 */
final class LogLinearModel {
    /** Features: 1, ln(1 + work), ln(1 + bytes to move). */
    static final int DIM = 3;
    /**
     * Initial P = δ⁻¹I with δ = 10⁻⁴: the small δ Haykin (§10.3) prescribes for high
     * signal-to-noise data, so the prior's ridge bias is negligible after a few samples (with
     * δ = 10⁻² it still biased an exact power law by 1–2 % after 25 samples, since 1 and
     * ln(work) are nearly collinear over the sizes seen).
     */
    static final double P0 = 1e4;
    /** Huber's k for 95 % efficiency under Gaussian noise (Huber 1964). */
    static final double HUBER_K = 1.345;
    /** Residuals beyond 3σ are winsorised when estimating σ (the usual three-sigma rule). */
    static final double WINSOR_K = 3.0;
    /** Prior noise scale in ln-space: run times within a factor e of the fit. */
    static final double SIGMA2_PRIOR = 1.0;
    /**
     * Floor of σ in ln-space (5 %): timer resolution and scheduling jitter on a shared machine
     * keep identical runs from being identical; without a floor a run of equal samples would
     * drive σ to 0 and make every later residual an outlier.
     */
    static final double SIGMA_FLOOR = 0.05;
    /** Samples before a prediction is trusted: one per parameter (DIM). */
    static final int MIN_SAMPLES = DIM;
    /** Work feature trusted up to a factor of 2 beyond the range seen. */
    static final double RANGE_SLACK = 2.0;
    /** After this many samples σ² is an exponential average (weight 1/20), so it tracks drift. */
    static final int SIGMA_WINDOW = 20;

    final double[] theta = new double[DIM];
    final double[][] p = new double[DIM][DIM];
    double sigma2 = SIGMA2_PRIOR;
    long samples;
    double minLogWork = Double.POSITIVE_INFINITY;
    double maxLogWork = Double.NEGATIVE_INFINITY;

    /**
     * Prior variance (in units of σ²) of the exponent of a {@link #proportional()} fit: one
     * sample over a factor e of work outweighs it, so it only shapes the first extrapolations.
     */
    static final double EXPONENT_PRIOR_VARIANCE = 1.0;

    /** A fit with no prior knowledge: θ = 0, P = P₀I. */
    LogLinearModel() {
        for (int i = 0; i < DIM; i++) p[i][i] = P0;
    }

    /**
     * A fit of a cost expected to grow in proportion to the work: prior exponent 1 with
     * variance {@link #EXPONENT_PRIOR_VARIANCE}, the rest as {@link #LogLinearModel()}. With
     * the flat prior one sample at work w₀ sets ln y ≈ (ln y₀ / ln w₀)·ln w (the minimum-norm
     * split, the slope taking nearly all as ln w₀ ≫ 1): an exponent that is an artefact of the
     * time unit, negative for a run under 1 ms, so a cold backend's first run made larger jobs
     * look faster on it. With this prior it predicts y₀·w/w₀ until the data say otherwise.
     */
    static LogLinearModel proportional() {
        LogLinearModel m = new LogLinearModel();
        m.theta[1] = 1;
        m.p[1][1] = EXPONENT_PRIOR_VARIANCE;
        return m;
    }

    /** ln(y) predicted at x. */
    double mean(double[] x) {
        double m = 0;
        for (int i = 0; i < DIM; i++) m += theta[i] * x[i];
        return m;
    }

    /** xᵀPx: how much the parameters' uncertainty adds at x, in units of σ². */
    double leverage(double[] x) {
        double s = 0;
        for (int i = 0; i < DIM; i++) {
            double row = 0;
            for (int j = 0; j < DIM; j++) row += p[i][j] * x[j];
            s += x[i] * row;
        }
        return s;
    }

    /** Predictive variance of ln(y) at x. */
    double variance(double[] x) {
        return sigma2 * (1 + leverage(x));
    }

    boolean trusted(double[] x) {
        double slack = Math.log(RANGE_SLACK);
        return samples >= MIN_SAMPLES && x[1] >= minLogWork - slack && x[1] <= maxLogWork + slack;
    }

    /** Learns one observation y > 0 at x. Returns the Huber weight it got (1 = not an outlier). */
    double observe(double[] x, double y) {
        double ly = Math.log(y);
        double[] px = new double[DIM];
        double xpx = 0;
        for (int i = 0; i < DIM; i++) {
            double row = 0;
            for (int j = 0; j < DIM; j++) row += p[i][j] * x[j];
            px[i] = row;
            xpx += x[i] * row;
        }
        double e = ly - mean(x); // a-priori error
        double sd = Math.sqrt(sigma2 * (1 + xpx));
        double r = Math.abs(e) / sd;
        double w = r <= HUBER_K ? 1.0 : HUBER_K / r;
        // Weighted RLS: gain K = P x / (1/w + xᵀPx); θ += K e; P -= K (P x)ᵀ.
        double denom = 1.0 / w + xpx;
        for (int i = 0; i < DIM; i++) theta[i] += px[i] * e / denom;
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) p[i][j] -= px[i] * px[j] / denom;
        }
        // Noise scale from the innovation: E[e²] = σ²(1 + xᵀPx), so e²/(1 + xᵀPx) estimates σ²
        // (Haykin §10.5); winsorised. Until the fit is determined (DIM samples) the leverage is
        // huge and the innovation says nothing about the spread, so the prior stands.
        samples++;
        if (samples > DIM) {
            double cap = WINSOR_K * WINSOR_K * sigma2;
            double e2 = Math.min(e * e / (1 + xpx), cap);
            long m = samples - DIM;
            double alpha = m <= SIGMA_WINDOW ? 1.0 / (m + 1) : 1.0 / SIGMA_WINDOW; // the prior counts as one sample
            sigma2 = Math.max(SIGMA_FLOOR * SIGMA_FLOOR, (1 - alpha) * sigma2 + alpha * e2);
        }
        minLogWork = Math.min(minLogWork, x[1]);
        maxLogWork = Math.max(maxLogWork, x[1]);
        return w;
    }
}
