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
 * from every finished job. Persisted in {@code kiln.state} under {@link #stateKey}; the
 * models changed since the last {@link #drainChanges()} are what a publisher writes.
 * Thread-safe.
 */
public final class CostModel {
    /** Prefix of this model's keys in the compacted {@code kiln.state} topic. */
    public static final String STATE_PREFIX = "costmodel/";

    private final Map<String, PerformanceModel> models = new ConcurrentHashMap<>();
    /** State keys changed since the last drain: true = changed, false = reset (tombstone). */
    private final Map<String, Boolean> changed = new ConcurrentHashMap<>();

    public static String stateKey(String backend, JobKind kind) {
        return STATE_PREFIX + backend + "/" + kind.wireName();
    }

    public Prediction predict(String backend, JobKind kind, Features f) {
        if (f == null) return Prediction.UNKNOWN;
        PerformanceModel m = models.get(stateKey(backend, kind));
        return m == null ? Prediction.UNKNOWN : m.predict(PerformanceModel.vector(f));
    }

    /**
     * Learns one finished job.
     *
     * @param solveMs  wall time of the solve, ms, &gt; 0
     * @param joules   energy reported by the backend, or NaN
     * @return the prediction the model held just before (UNKNOWN for its first sample)
     */
    public Prediction observe(String backend, JobKind kind, Features f, double solveMs, double joules) {
        if (f == null || !(solveMs > 0) || !Double.isFinite(solveMs)) return Prediction.UNKNOWN;
        String key = stateKey(backend, kind);
        PerformanceModel m = models.computeIfAbsent(key, k -> new PerformanceModel(backend, kind.wireName()));
        Prediction before = m.observe(PerformanceModel.vector(f), solveMs, joules);
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
        return n;
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
            out.put(key, m == null ? null : m.state());
        }
        return out;
    }

    /** Every model's state. */
    public List<ModelState> snapshot() {
        List<ModelState> out = new ArrayList<>();
        for (PerformanceModel m : models.values()) out.add(m.state());
        return out;
    }
}
