package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;

import java.util.ArrayList;
import java.util.List;

/**
 * What one backend has shown for one job kind: a {@link LogLinearModel} of time (and one of
 * energy when the backend reports it) over the job's {@link Features}, and how good its
 * predictions were against the actual times (StarPU keeps the same per-footprint history to
 * print with {@code starpu_perfmodel_display}). Thread-safe: predictions come from submitting
 * threads, observations from workers.
 */
public final class PerformanceModel {
    /** Recent (predicted, actual) pairs kept for GET /v1/backends. */
    static final int RECENT = 16;

    private final String backend;
    private final String kind;
    private final LogLinearModel time = new LogLinearModel();
    private final LogLinearModel energy = new LogLinearModel();
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
     * The feature vector: 1, ln(1 + work), ln(1 + bytes to move), with work = (n + nnz) ×
     * estimated iterations — the memory traffic of a Krylov solve is a few passes over the
     * matrix and vectors per iteration (Saad, <i>Iterative Methods</i>, §9.1 operation counts).
     */
    static double[] vector(Features f) {
        double work = (double) (Math.max(0, f.n()) + Math.max(0, f.nnz())) * Math.max(1.0, f.estimatedIterations());
        return new double[] {1.0, Math.log1p(work), Math.log1p(Math.max(0, f.bytesToMove()))};
    }

    synchronized Prediction predict(double[] x) {
        if (time.samples == 0) return Prediction.UNKNOWN;
        double lm = time.mean(x);
        double sd = Math.sqrt(time.variance(x));
        double e = energy.samples == 0 ? Double.NaN : Math.exp(energy.mean(x));
        return new Prediction(Math.exp(lm), lm, sd, time.samples, time.trusted(x), e);
    }

    /**
     * Learns a finished job: its solve time and, when finite and positive, its energy.
     *
     * @return the prediction made just before learning (UNKNOWN for the first sample)
     */
    synchronized Prediction observe(double[] x, double ms, double joules) {
        Prediction before = predict(x);
        if (before.known()) {
            compared++;
            sumAbsLogError += Math.abs(Math.log(ms / before.ms()));
            if (recent.size() == RECENT) recent.remove(0);
            recent.add(new Comparison(Math.expm1(x[1]), before.ms(), ms));
        }
        time.observe(x, ms);
        if (joules > 0 && Double.isFinite(joules)) energy.observe(x, joules);
        return before;
    }

    synchronized View view() {
        return new View(backend, kind, time.samples, Math.sqrt(time.sigma2), time.theta[1],
                time.samples == 0 ? Double.NaN : Math.expm1(time.minLogWork),
                time.samples == 0 ? Double.NaN : Math.expm1(time.maxLogWork),
                compared, compared == 0 ? Double.NaN : sumAbsLogError / compared, energy.samples, List.copyOf(recent));
    }

    synchronized long samples() { return time.samples; }

    synchronized ModelState state() {
        return new ModelState(backend, kind, fit(time), energy.samples == 0 ? null : fit(energy), compared, sumAbsLogError);
    }

    synchronized void restore(ModelState s) {
        load(time, s.time());
        if (s.energy() != null) load(energy, s.energy());
        compared = s.compared();
        sumAbsLogError = s.sumAbsLogError();
    }

    private static ModelState.Fit fit(LogLinearModel m) {
        int d = LogLinearModel.DIM;
        double[] p = new double[d * d];
        for (int i = 0; i < d; i++) System.arraycopy(m.p[i], 0, p, i * d, d);
        return new ModelState.Fit(m.theta.clone(), p, m.sigma2, m.samples, m.minLogWork, m.maxLogWork);
    }

    private static void load(LogLinearModel m, ModelState.Fit f) {
        int d = LogLinearModel.DIM;
        System.arraycopy(f.theta(), 0, m.theta, 0, d);
        for (int i = 0; i < d; i++) System.arraycopy(f.p(), i * d, m.p[i], 0, d);
        m.sigma2 = f.sigma2();
        m.samples = f.samples();
        m.minLogWork = f.minLogWork();
        m.maxLogWork = f.maxLogWork();
    }
}
