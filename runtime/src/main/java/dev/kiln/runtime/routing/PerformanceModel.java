package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;

import java.util.ArrayList;
import java.util.List;

/**
 * What one backend has shown for one job kind: two fits of time over the job's work and bytes
 * to move — a power law ({@link LogLinearModel}) and launch cost + linear parts
 * ({@link AffineModel}) — of which the one with the smaller recent error predicts, and a power
 * law of energy when the backend reports it; and how good the predictions were against the
 * actual times (StarPU keeps the same per-footprint history to print with
 * {@code starpu_perfmodel_display}). The choice between the two is prequential (Dawid,
 * "Statistical theory: the prequential approach", JRSS A 1984): each fit is scored on every
 * job before it learns that job, by an exponential average of |ln(actual/predicted)| (weight
 * 1/{@link LogLinearModel#SIGMA_WINDOW}), so neither is judged on data it was fitted to.
 * Thread-safe: predictions come from submitting threads, observations from workers.
 */
public final class PerformanceModel {
    /** Recent (predicted, actual) pairs kept for GET /v1/backends. */
    static final int RECENT = 16;

    private final String backend;
    private final String kind;
    private final LogLinearModel time = LogLinearModel.proportional();
    private final AffineModel affine = new AffineModel();
    /** Prequential mean |ln(actual/predicted)| of each time fit, over the jobs both could predict. */
    private double logLinearError;
    private double affineError;
    private long scored;
    private final LogLinearModel energy = LogLinearModel.proportional();
    private final ArrayList<Comparison> recent = new ArrayList<>();
    private long compared;
    private double sumAbsLogError;

    PerformanceModel(String backend, String kind) {
        this.backend = backend;
        this.kind = kind;
    }

    /** One prediction compared with what happened. */
    public record Comparison(double work, double predictedMs, double actualMs) { }

    /** Snapshot for GET /v1/backends. */
    public record View(String backend, String kind, long samples, double sigmaLog, double exponent,
                       double minWork, double maxWork, long compared, double meanAbsLogError,
                       long energySamples, List<Comparison> recent) { }

    /**
     * Work of a job: (n + nnz) × iterations — the memory traffic of a Krylov solve is a few
     * passes over the matrix and vectors per iteration (Saad, <i>Iterative Methods</i>, §9.1
     * operation counts).
     */
    static double work(Features f, double iterations) {
        return (double) (Math.max(0, f.n()) + Math.max(0, f.nnz())) * Math.max(1.0, iterations);
    }

    /** The power law's feature vector: 1, ln(1 + work), ln(1 + bytes to move). */
    static double[] vector(double work, double bytes) {
        return new double[] {1.0, Math.log1p(work), Math.log1p(Math.max(0, bytes))};
    }

    /** Whether the affine fit predicts: enough samples, and a smaller prequential error than the power law. */
    private boolean affineLeads() {
        return scored >= LogLinearModel.MIN_SAMPLES && affineError < logLinearError;
    }

    synchronized Prediction predict(double work, double bytes) {
        if (time.samples == 0) return Prediction.UNKNOWN;
        double[] x = vector(work, bytes);
        double lm;
        double sd;
        boolean affineLeads = affineLeads();
        if (affineLeads) {
            double[] xa = AffineModel.vector(work, bytes);
            lm = Math.log(affine.mean(xa));
            sd = Math.sqrt(affine.logVariance(xa));
        } else {
            lm = time.mean(x);
            sd = Math.sqrt(time.variance(x));
        }
        if (x[1] > time.maxLogWork) {
            // Beyond the largest work seen a fit is not trusted to keep its slope: from its value
            // at the edge, a power law grows in proportion to the work, and the affine fit (whose
            // launch cost makes it grow slower) at most in proportion. A power-law exponent below 1
            // comes from fixed costs amortised over the sizes seen: a model learned on small jobs
            // predicted a 3.5× too short time for a large one, which the router then sent there;
            // far above 1, it is noise over a narrow range, and predicted 35× too long for a job
            // just past it (measured here: ./kiln bench routing --quick, trace).
            double proportional = lnFitted(affineLeads, Math.expm1(time.maxLogWork), bytes) + (x[1] - time.maxLogWork);
            lm = affineLeads ? Math.min(lm, proportional) : proportional;
            if (!affineLeads && affine.samples >= AffineModel.DIM) {
                // In proportion from the edge also scales the launch cost inside the edge's time:
                // a device of 3 ms launch + 2 ms compute at the edge was predicted 2.5× too slow
                // at 30× the work, and after calibration (4 sizes; too few scored jobs for the
                // affine fit to lead) every burst job larger than the calibration's went to the
                // device twice as slow (measured here: ./kiln bench routing --quick --case mixed,
                // burst split; sim-launch predicted 3.1× its solve time). The affine fit separates
                // the launch cost from the part that grows, so beyond the range it answers,
                // between the power law's own slope and proportional growth.
                double lo = Math.min(time.mean(x), proportional);
                lm = Math.max(lo, Math.min(proportional, Math.log(affine.mean(AffineModel.vector(work, bytes)))));
            }
        } else if (x[1] < time.minLogWork) {
            // Below the smallest work seen: no faster than in proportion, no slower than at the edge.
            double lmEdge = lnFitted(affineLeads, Math.expm1(time.minLogWork), bytes);
            lm = Math.min(lmEdge, Math.max(lm, lmEdge - (time.minLogWork - x[1])));
        }
        double e = energy.samples == 0 ? Double.NaN : Math.exp(energy.mean(x));
        return new Prediction(Math.exp(lm), lm, sd, time.samples, time.trusted(x), e);
    }

    /** ln of the predicted ms at (work, bytes), range rules included; NaN before the first sample. */
    synchronized double lnMs(double work, double bytes) {
        return predict(work, bytes).logMean();
    }

    /** ln of the leading fit's time at (work, bytes), without range rules. */
    private double lnFitted(boolean affineLeads, double work, double bytes) {
        return affineLeads ? Math.log(affine.mean(AffineModel.vector(work, bytes))) : time.mean(vector(work, bytes));
    }

    /**
     * Learns a finished job: its solve time and, when finite and positive, its energy.
     *
     * @param work   the work it did (at the iterations it took, when known)
     * @param routed what the model predicted when the job was placed (at the estimated
     *               iterations), kept to show predictions against actuals; UNKNOWN for none
     */
    synchronized void observe(double work, double bytes, double ms, double joules, Prediction routed) {
        double[] x = vector(work, bytes);
        double[] xa = AffineModel.vector(work, bytes);
        if (routed.known()) {
            compared++;
            sumAbsLogError += Math.abs(Math.log(ms / routed.ms()));
            if (recent.size() == RECENT) recent.remove(0);
            recent.add(new Comparison(work, routed.ms(), ms));
        }
        if (time.samples >= LogLinearModel.MIN_SAMPLES && affine.samples >= AffineModel.DIM) {
            scored++;
            double alpha = scored <= LogLinearModel.SIGMA_WINDOW ? 1.0 / scored : 1.0 / LogLinearModel.SIGMA_WINDOW;
            logLinearError += alpha * (Math.abs(Math.log(ms) - time.mean(x)) - logLinearError);
            affineError += alpha * (Math.abs(Math.log(ms / affine.mean(xa))) - affineError);
        }
        time.observe(x, ms);
        affine.observe(xa, ms);
        if (joules > 0 && Double.isFinite(joules)) energy.observe(x, joules);
    }

    /** Which time fit predicts now: "affine" or "power-law" (tests, logs). */
    synchronized String timeFit() {
        return affineLeads() ? "affine" : "power-law";
    }

    synchronized View view() {
        return new View(backend, kind, time.samples, Math.sqrt(time.sigma2), time.theta[1],
                time.samples == 0 ? Double.NaN : Math.expm1(time.minLogWork),
                time.samples == 0 ? Double.NaN : Math.expm1(time.maxLogWork),
                compared, compared == 0 ? Double.NaN : sumAbsLogError / compared, energy.samples, List.copyOf(recent));
    }

    synchronized long samples() { return time.samples; }

    /** The largest work learned, ln(1 + work); -∞ before the first sample. */
    synchronized double maxLogWork() { return time.samples == 0 ? Double.NEGATIVE_INFINITY : time.maxLogWork; }

    synchronized ModelState state() {
        return new ModelState(backend, kind, fit(time), energy.samples == 0 ? null : fit(energy), compared, sumAbsLogError,
                affine.samples == 0 ? null : new ModelState.Affine(affine.a.clone(), affine.b.clone(), affine.sigma2,
                        affine.samples, affine.minMs, scored, logLinearError, affineError), null);
    }

    synchronized void restore(ModelState s) {
        load(time, s.time());
        if (s.energy() != null) load(energy, s.energy());
        compared = s.compared();
        sumAbsLogError = s.sumAbsLogError();
        ModelState.Affine a = s.affine();
        if (a != null) { // absent in states written before the affine fit existed: it relearns
            System.arraycopy(a.a(), 0, affine.a, 0, AffineModel.DIM * AffineModel.DIM);
            System.arraycopy(a.b(), 0, affine.b, 0, AffineModel.DIM);
            affine.sigma2 = a.sigma2();
            affine.samples = a.samples();
            affine.minMs = a.minMs();
            affine.solve();
            scored = a.scored();
            logLinearError = a.logLinearError();
            affineError = a.affineError();
        }
    }

    static ModelState.Fit fit(LogLinearModel m) {
        int d = LogLinearModel.DIM;
        double[] p = new double[d * d];
        for (int i = 0; i < d; i++) System.arraycopy(m.p[i], 0, p, i * d, d);
        return new ModelState.Fit(m.theta.clone(), p, m.sigma2, m.samples, m.minLogWork, m.maxLogWork);
    }

    static void load(LogLinearModel m, ModelState.Fit f) {
        int d = LogLinearModel.DIM;
        System.arraycopy(f.theta(), 0, m.theta, 0, d);
        for (int i = 0; i < d; i++) System.arraycopy(f.p(), i * d, m.p[i], 0, d);
        m.sigma2 = f.sigma2();
        m.samples = f.samples();
        m.minLogWork = f.minLogWork();
        m.maxLogWork = f.maxLogWork();
    }
}
