package dev.kiln.runtime.routing;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * The last {@link #WINDOW} runs a {@link PerformanceModel} learned from (work, bytes, ln ms),
 * for a local correction of its fit: the median residual, ln(actual) − ln(fit), of the recent
 * runs whose work is within a factor {@link #NEIGHBOURHOOD} of a job's, once there are
 * {@link #MIN_NEIGHBOURS}, bounded to ±ln {@link #BOUND}. A power law or launch + linear is one
 * curve for all sizes, and a backend's time is not: when a job's working set no longer fits in
 * cache its time per unit of work jumps (a 3-D Poisson job of 10⁵ unknowns, ~10 MB of CSR, on
 * the bench's 2-core host), and a fit dominated by the many small jobs stays below the large
 * ones — Huber's weights even treat them as outliers. Measured here (./kiln bench routing
 * --quick --case mixed --seed 1, trace): sim-half's largest jobs predicted at 0.4-0.5× what
 * they took, again and again, so they kept going there where sim-launch was 1.5-2.6× faster.
 * StarPU keeps per-size history for the same reason (its history-based models,
 * perfmodel_history.c); neighbours in work stand in for its exact footprints, since sizes
 * rarely repeat exactly.
 *
 * <p>Residuals are taken against the fit as it is now (not as it was when the run was
 * learned), so a fit that has caught up is not corrected twice. The median: a few slow runs
 * among the neighbours do not move it. Not thread-safe: {@link PerformanceModel} guards it.
 */
final class RecentRuns {
    /** Runs kept: over the bench's 2½ decades of work, ~8 per factor-2 band. */
    static final int WINDOW = 64;
    /** Neighbours: work within this factor either way. */
    static final double NEIGHBOURHOOD = 2.0;
    /** Neighbours needed before the median departs from the fit: one per parameter of the fits ({@link LogLinearModel#DIM}). */
    static final int MIN_NEIGHBOURS = LogLinearModel.DIM;
    /** Most the correction may scale the fit either way, as {@link BookingCorrection#BOUND}. */
    static final double BOUND = BookingCorrection.BOUND;

    final double[] work = new double[WINDOW];
    final double[] bytes = new double[WINDOW];
    final double[] lnMs = new double[WINDOW];
    int count;
    int next;

    void add(double w, double b, double ms) {
        work[next] = w;
        bytes[next] = b;
        lnMs[next] = Math.log(ms);
        next = (next + 1) % WINDOW;
        if (count < WINDOW) count++;
    }

    /**
     * The bounded median of ln(actual) − {@code lnFit}(work, bytes) over the recent runs whose work is
     * within {@link #NEIGHBOURHOOD} of {@code w}; 0 with fewer than {@link #MIN_NEIGHBOURS} of them.
     */
    double correction(double w, DoubleBinaryOperator lnFit) {
        double lw = Math.log1p(w);
        double span = Math.log(NEIGHBOURHOOD);
        double[] r = new double[count];
        int k = 0;
        for (int i = 0; i < count; i++) {
            if (Math.abs(Math.log1p(work[i]) - lw) <= span) r[k++] = lnMs[i] - lnFit.applyAsDouble(work[i], bytes[i]);
        }
        if (k < MIN_NEIGHBOURS) return 0;
        Arrays.sort(r, 0, k);
        double median = k % 2 == 1 ? r[k / 2] : 0.5 * (r[k / 2 - 1] + r[k / 2]);
        double cap = Math.log(BOUND);
        return Math.max(-cap, Math.min(cap, median));
    }

    /** The runs in order, oldest first (persistence). */
    ModelState.Runs state() {
        double[] w = new double[count];
        double[] b = new double[count];
        double[] l = new double[count];
        int start = count < WINDOW ? 0 : next;
        for (int i = 0; i < count; i++) {
            int j = (start + i) % WINDOW;
            w[i] = work[j];
            b[i] = bytes[j];
            l[i] = lnMs[j];
        }
        return new ModelState.Runs(w, b, l);
    }

    void restore(ModelState.Runs s) {
        count = 0;
        next = 0;
        for (int i = Math.max(0, s.work().length - WINDOW); i < s.work().length; i++) add(s.work()[i], s.bytes()[i], Math.exp(s.lnMs()[i]));
    }
}
