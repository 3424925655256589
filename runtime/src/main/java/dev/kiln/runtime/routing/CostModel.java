package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.JobKind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kiln's learned cost model: one {@link PerformanceModel} per backend × job kind, predicting
 * a job's solve time (and energy) from the {@link Features} its backend reports, learning
 * from every finished job. For linear jobs the iterations in the work come from an
 * {@link IterationModel} learned from the counts finished jobs report (the backend's own
 * estimate until it has some), and a finished job is learned at the iterations it took. A
 * prediction is corrected by where the backend's fit was off for the job's family and size
 * ({@link SizeBucketResiduals}). Persisted in {@code kiln.state} under {@link #stateKey}; the
 * models changed since the last {@link #drainChanges()} are what a publisher writes.
 * Thread-safe.
 */
public final class CostModel {
    /** Prefix of this model's keys in the compacted {@code kiln.state} topic. */
    public static final String STATE_PREFIX = "costmodel/";

    private final Map<String, PerformanceModel> models = new ConcurrentHashMap<>();
    /**
     * Per backend × kind × family, the same fits learned from that family's runs only, which
     * predict the family once they have done so better than the backend-wide fit
     * ({@link FamilyFit}). Not persisted: relearned (jobs naming no family share one). Bounded:
     * past {@link #MAX_FAMILY_FITS} a new family is predicted by the backend-wide fit.
     */
    private final Map<String, FamilyFit> familyFits = new ConcurrentHashMap<>();
    static final int MAX_FAMILY_FITS = 4_096;
    private final IterationModel iterations = new IterationModel();
    /** Per family and size, where each fit is off (not persisted: relearned). */
    private final SizeBucketResiduals residuals = new SizeBucketResiduals();
    /** State keys changed since the last drain: true = changed, false = reset (tombstone). */
    private final Map<String, Boolean> changed = new ConcurrentHashMap<>();

    public static String stateKey(String backend, JobKind kind) {
        return STATE_PREFIX + backend + "/" + kind.wireName();
    }

    public Prediction predict(String backend, JobKind kind, Features f) {
        return predict(backend, kind, null, f);
    }

    /** Predicted time (and energy) of a job of {@code family} (may be null) on the backend. */
    public Prediction predict(String backend, JobKind kind, String family, Features f) {
        if (f == null) return Prediction.UNKNOWN;
        String key = stateKey(backend, kind);
        PerformanceModel backendWide = models.get(key);
        if (backendWide == null) return Prediction.UNKNOWN;
        String familyKey = SizeBucketResiduals.key(key, family);
        FamilyFit own = familyFits.get(familyKey);
        double work = PerformanceModel.work(f, estimatedIterations(backend, kind, family, f));
        // Beyond the family's own sizes on the backend the family's fit answers once it has a few runs,
        // even before it leads: the backend-wide fit there is the other families' cost per unit of work
        // (a backend that ran 3-D jobs and only small 2-D ones had its 2-D jobs of 10⁴ unknowns predicted
        // 3–10× their time at the 3-D rate, and never got one: a trap; --case synthetic, round 6).
        PerformanceModel m = own != null && (own.leads() || own.model.samples() >= LogLinearModel.MIN_SAMPLES
                && Math.log1p(work) > own.model.maxLogWork()) ? own.model : backendWide;
        return corrected(m, familyKey, f, work);
    }

    /**
     * Whether the backend has run jobs of the family recently at about this size (within {@link
     * SizeBucketResiduals#REACH} size buckets): where it has not, its prediction is the fits'
     * extrapolation alone.
     */
    public boolean hasRunsNear(String backend, JobKind kind, String family, Features f) {
        return f != null && residuals.hasRunsNear(SizeBucketResiduals.key(stateKey(backend, kind), family), footprint(f));
    }

    /** m's prediction at the work, corrected by the family's size-bucket residuals against m. */
    private Prediction corrected(PerformanceModel m, String familyKey, Features f, double work) {
        Prediction p = m.predict(work, f.bytesToMove());
        if (!p.known()) return p;
        double c = residuals.lnCorrection(familyKey, footprint(f), m::lnMs);
        return c == 0 ? p : p.scaled(c);
    }

    /** What the size buckets of {@link SizeBucketResiduals} are over: n + nnz. */
    private static long footprint(Features f) {
        return Math.max(0, f.n()) + Math.max(0, f.nnz());
    }

    /** Iterations the job is expected to take: learned for linear jobs when there are counts, else the backend's estimate. */
    public double estimatedIterations(String backend, JobKind kind, String family, Features f) {
        if (kind == JobKind.LINEAR) {
            double e = iterations.estimate(backend, family, f);
            if (!Double.isNaN(e)) return e;
        }
        return f.estimatedIterations();
    }

    /**
     * Learns one finished job at the iterations its backend estimated.
     *
     * @param solveMs  wall time of the solve, ms, &gt; 0
     * @param joules   energy reported by the backend, or NaN
     * @return the prediction the model held just before (UNKNOWN for its first sample)
     */
    public Prediction observe(String backend, JobKind kind, Features f, double solveMs, double joules) {
        return observe(backend, kind, null, f, -1, solveMs, joules);
    }

    /**
     * Learns one finished job.
     *
     * @param family     the job's family, or null
     * @param iterations iterations it took (linear jobs), or &lt; 1 when unknown: it is then
     *                   learned at the estimate
     * @param solveMs    wall time of the solve, ms, &gt; 0
     * @param joules     energy reported by the backend, or NaN
     * @return the prediction the model held just before (UNKNOWN for its first sample)
     */
    public Prediction observe(String backend, JobKind kind, String family, Features f, long iterations,
                              double solveMs, double joules) {
        return observe(backend, kind, family, f, iterations, solveMs, joules, true);
    }

    /**
     * Learns a run's time again after {@link #forgetTimes}: as {@link #observe(String, JobKind,
     * String, Features, long, double, double)}, without counting its iterations a second time.
     */
    Prediction relearn(String backend, JobKind kind, String family, Features f, long iterations, double solveMs, double joules) {
        return observe(backend, kind, family, f, iterations, solveMs, joules, false);
    }

    private Prediction observe(String backend, JobKind kind, String family, Features f, long iterations,
                               double solveMs, double joules, boolean countIterations) {
        if (f == null || !(solveMs > 0) || !Double.isFinite(solveMs)) return Prediction.UNKNOWN;
        String key = stateKey(backend, kind);
        PerformanceModel m = models.computeIfAbsent(key, k -> new PerformanceModel(backend, kind.wireName()));
        // Scored at what the router could have known (the estimate); learned at what happened.
        Prediction before = predict(backend, kind, family, f);
        String familyKey = SizeBucketResiduals.key(key, family);
        FamilyFit own = familyFits.get(familyKey);
        if (own == null && familyFits.size() < MAX_FAMILY_FITS) {
            own = familyFits.computeIfAbsent(familyKey, k -> new FamilyFit(backend, kind.wireName()));
        }
        if (own != null && own.model.samples() >= LogLinearModel.MIN_SAMPLES) {
            double estimated = PerformanceModel.work(f, estimatedIterations(backend, kind, family, f));
            own.score(solveMs, corrected(own.model, familyKey, f, estimated), corrected(m, familyKey, f, estimated));
        }
        boolean counted = kind == JobKind.LINEAR && iterations >= 1;
        if (counted && countIterations) this.iterations.observe(backend, family, f, iterations);
        double it = counted ? iterations : f.estimatedIterations();
        double work = PerformanceModel.work(f, it);
        if (own != null) own.model.observe(work, f.bytesToMove(), solveMs, joules, before);
        m.observe(work, f.bytesToMove(), solveMs, joules, before);
        residuals.record(familyKey, footprint(f), work, f.bytesToMove(), solveMs);
        changed.put(key, Boolean.TRUE);
        return before;
    }

    /** Samples the backend × kind model has learned from (0 when none). */
    public long samples(String backend, JobKind kind) {
        PerformanceModel m = models.get(stateKey(backend, kind));
        return m == null ? 0 : m.samples();
    }

    /** Forgets everything learned about a backend (every kind). Returns how many models went. */
    public int reset(String backend) {
        int n = 0;
        String prefix = STATE_PREFIX + backend + "/";
        for (String key : new ArrayList<>(models.keySet())) {
            if (key.startsWith(prefix) && models.remove(key) != null) {
                changed.put(key, Boolean.FALSE);
                n++;
            }
        }
        iterations.reset(backend);
        familyFits.keySet().removeIf(k -> k.startsWith(prefix));
        residuals.reset(prefix);
        return n;
    }

    /**
     * Forgets what one backend × kind's times taught (its fits, family fits and size-bucket
     * residuals; not the iteration counts, which do not depend on how long a run took), so that
     * its runs can be relearned (a cold first run, {@link ColdFirstRun}).
     */
    void forgetTimes(String backend, JobKind kind) {
        String key = stateKey(backend, kind);
        models.remove(key);
        String familyPrefix = SizeBucketResiduals.key(key, "").substring(0, key.length() + 1);
        familyFits.keySet().removeIf(k -> k.startsWith(familyPrefix));
        residuals.reset(familyPrefix);
        changed.put(key, Boolean.TRUE);
    }

    /** Models of one backend, sorted by kind, for GET /v1/backends. */
    public List<PerformanceModel.View> views(String backend) {
        String prefix = STATE_PREFIX + backend + "/";
        List<PerformanceModel.View> out = new ArrayList<>();
        models.forEach((k, m) -> {
            if (k.startsWith(prefix)) out.add(m.view());
        });
        out.sort(Comparator.comparing(PerformanceModel.View::kind));
        return out;
    }

    /** Replaces (or creates) the model the state describes; a model learned locally since is overwritten. */
    public void restore(ModelState s) {
        JobKind kind = JobKind.fromWire(s.kind());
        if (kind == null) throw new IllegalArgumentException("cost model state: kind '" + s.kind() + "' unknown");
        PerformanceModel m = new PerformanceModel(s.backend(), s.kind());
        m.restore(s);
        models.put(stateKey(s.backend(), kind), m);
        if (kind == JobKind.LINEAR && s.iterations() != null) s.iterations().forEach((family, f) -> iterations.restore(s.backend(), family, f));
    }

    /** The persisted state of one model, with the backend's iteration fits for linear jobs. */
    private ModelState state(PerformanceModel m) {
        ModelState s = m.state();
        if (!JobKind.LINEAR.wireName().equals(s.kind())) return s;
        return new ModelState(s.backend(), s.kind(), s.time(), s.energy(), s.compared(), s.sumAbsLogError(), s.affine(),
                iterations.state(s.backend()));
    }

    /** A tombstone or an update read from kiln.state for a key this model owns. */
    public void forget(String stateKey) {
        models.remove(stateKey);
    }

    /**
     * State keys changed since the last call, each with its current state or {@code null} for
     * a reset model (a tombstone on the compacted topic).
     */
    public Map<String, ModelState> drainChanges() {
        Map<String, ModelState> out = new LinkedHashMap<>();
        for (String key : new ArrayList<>(changed.keySet())) {
            changed.remove(key);
            PerformanceModel m = models.get(key);
            out.put(key, m == null ? null : state(m));
        }
        return out;
    }

    /** Every model's state. */
    public List<ModelState> snapshot() {
        List<ModelState> out = new ArrayList<>();
        for (PerformanceModel m : models.values()) out.add(state(m));
        return out;
    }
}
