package dev.kiln.runtime.routing;

/**
 * One backend × kind × family's own time fits (a {@link PerformanceModel} learned from that
 * family's runs only), and whether they predict the family better than the backend's fit over
 * every family. Both are scored prequentially (Dawid 1984, as {@link PerformanceModel} chooses
 * between its two fits) on each of the family's runs before learning it, each with its
 * size-bucket correction, by an exponential average (weight 1/{@link LogLinearModel#SIGMA_WINDOW})
 * of |ln(actual/predicted)|; the family's fit leads once it has been scored
 * {@link LogLinearModel#MIN_SAMPLES} times and its error is the smaller.
 *
 * <p>Why scored and not simply "once it has a few runs": a family fit of three or four runs
 * extrapolates whatever those runs were. On the loaded machine two of sim-launch's four 3-D
 * runs took 2–3× their usual time, its 3-D fit then predicted the largest 3-D jobs at 3.7×
 * what they take, and the router never sent it another one — a prediction too slow is never
 * corrected, since nothing runs there (measured here: {@code -Dkiln.bench.trace=true ./kiln
 * bench routing --quick --case mixed --no-burst --seed 2 --jobs 400}, load 5–9, regret 30 %
 * with the family fit answering after three runs). Thread-safe.
 */
final class FamilyFit {
    final PerformanceModel model;
    private double ownError;
    private double backendError;
    private long scored;

    FamilyFit(String backend, String kind) {
        this.model = new PerformanceModel(backend, kind);
    }

    /** Whether the family's own fit predicts. */
    synchronized boolean leads() {
        return scored >= LogLinearModel.MIN_SAMPLES && ownError < backendError;
    }

    /**
     * Scores both predictions of one run against its time, before either fit learns it; ignored
     * until the family's fit could predict ({@link LogLinearModel#MIN_SAMPLES} runs).
     */
    synchronized void score(double ms, Prediction own, Prediction backendWide) {
        if (model.samples() < LogLinearModel.MIN_SAMPLES || !own.known() || !backendWide.known()) return;
        scored++;
        double alpha = scored <= LogLinearModel.SIGMA_WINDOW ? 1.0 / scored : 1.0 / LogLinearModel.SIGMA_WINDOW;
        ownError += alpha * (Math.abs(Math.log(ms / own.ms())) - ownError);
        backendError += alpha * (Math.abs(Math.log(ms / backendWide.ms())) - backendError);
    }
}
