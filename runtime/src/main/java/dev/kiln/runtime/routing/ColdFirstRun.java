package dev.kiln.runtime.routing;

import dev.kiln.spi.JobKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spots a backend's cold first run after the fact. The first finished run of each backend × kind,
 * when the model knew nothing of it, is learned as usual and remembered with the runs after it; at
 * the first later run of ¼–4× its work (or, failing one among the first {@link #EARLY}, at the
 * eighth, against the one nearest in work), if the first took more than
 * {@link #COLD_FACTOR}× what that run allows — its time, scaled up by the work ratio when the first
 * job was the larger (a warm run of more work takes at most in proportion longer, fixed costs
 * amortised) — the first was cold, and the caller relearns the backend × kind from the runs so far
 * with the first bounded so. Against a much smaller run the bound is loose (a launch cost scaled
 * up), so a cold first run followed only by far smaller ones may pass as warm. The first run pays what no later one
 * does — class loading and JIT of the backend's and the runtime's code paths, an OpenCL program
 * build, a worker's start — as {@link Calibration} knows (it never learns a size's first run).
 * Without calibration (a backend × kind its budget cut short, or {@code
 * kiln.routing.calibrate=false}) the first run was learned as the backend's cost: in the routing
 * bench's cold start sim-launch's first run took 109 and 214 ms for a job its oracle row has at 4.5
 * and 4.8, every larger job was then predicted 10–130× what it takes there, none went to it again
 * beyond small explorations, and the run's regret was 53 % and 68 % (measured here: {@code
 * -Dkiln.bench.trace=true ./kiln bench routing --quick --case mixed --no-burst}, 29 Nov 03:00–03:04).
 *
 * <p>Why after the fact and not by holding the first run back: until the second run the router
 * then had no prediction for the backend, which changed its early choices and, in the synthetic
 * worlds, moved one seed of eight over 10 % where nothing was cold; a warm first run changes
 * nothing here. Thread-safe; at most one remembered run per backend × kind.
 */
final class ColdFirstRun {
    /**
     * How far over its bound a first run must be to count as cold: {@link
     * SizeBucketResiduals#BOUND_FACTOR}, the most the model lets one size's runs pull a prediction;
     * the synthetic worlds' warm runs (5 % noise, one in ten slowed up to 4×) stay under it.
     */
    static final double COLD_FACTOR = SizeBucketResiduals.BOUND_FACTOR;

    /** One finished run as the router learns it. */
    record Run(RoutingDecision decision, JobKind kind, double solveMs, double joules, long iterations) {
        double work() {
            return PerformanceModel.work(decision.features(), iterations >= 1 ? iterations : decision.features().estimatedIterations());
        }

        Run withMs(double ms) {
            return new Run(decision, kind, ms, joules, iterations);
        }
    }

    /** Runs of a backend × kind looked at, at most, before its first run is judged warm. */
    static final int EARLY = 8;

    private final Map<String, List<Run>> early = new ConcurrentHashMap<>();
    private final Set<String> settled = ConcurrentHashMap.newKeySet();

    /**
     * Offers a finished run after the caller has learned it. Returns the backend × kind's runs so
     * far, in order, with the first bounded, when the first is found cold — the caller then forgets
     * that backend × kind's times and relearns them from these; else an empty list. The first run is
     * judged at the first later run of ¼–4× its work (a tight bound: at most 4× that run's time;
     * against a larger run the bound is that run's time, and a 30× first run passed as warm against
     * one of 15× its work — ./kiln bench routing --case synthetic --world cold, seed 17, round 6), or,
     * failing one among the first {@link #EARLY}, on the one nearest in work.
     *
     * @param samples samples the backend × kind model had before this run
     */
    synchronized List<Run> offer(Run run, long samples) {
        String key = CostModel.stateKey(run.decision().chosen(), run.kind());
        if (settled.contains(key)) return List.of();
        List<Run> runs = early.get(key);
        if (runs == null) {
            if (samples > 0) { // the model knew this backend before its first run here (calibrated, restored)
                settled.add(key);
                return List.of();
            }
            runs = new ArrayList<>();
            runs.add(run);
            early.put(key, runs);
            return List.of();
        }
        runs.add(run);
        Run first = runs.get(0);
        Run judge = null;
        if (run.work() >= first.work() / 4 && run.work() <= 4 * first.work()) {
            judge = run;
        } else if (runs.size() >= EARLY) {
            for (Run r : runs.subList(1, runs.size())) {
                if (judge == null || Math.abs(Math.log(r.work() / first.work())) < Math.abs(Math.log(judge.work() / first.work()))) judge = r;
            }
        }
        if (judge == null) return List.of();
        settled.add(key);
        early.remove(key);
        double bound = bound(first, judge);
        if (!(first.solveMs() > COLD_FACTOR * bound)) return List.of();
        List<Run> out = new ArrayList<>(runs);
        out.set(0, first.withMs(bound));
        return out;
    }

    /**
     * Work of the backend × kind's first run while it waits to be judged (no later run of ¼–4× its
     * work yet), else NaN. The router sends the backend one job in [¼, 1] of it
     * ({@link EarliestFinishRouter}): a cold first run makes the backend look slow, so it gets no
     * such job by itself, and against the small explorations it does get the bound is loose — a
     * 30× first run passed as warm against a run of 1/150 its work whose time was mostly launch
     * cost, and the backend was predicted 20× its time on every job after (measured here: ./kiln
     * bench routing --case synthetic --world cold, seed 24: regret 94 %).
     */
    synchronized double pendingWork(String backend, JobKind kind) {
        String key = CostModel.stateKey(backend, kind);
        if (settled.contains(key)) return Double.NaN;
        List<Run> runs = early.get(key);
        return runs == null ? Double.NaN : runs.get(0).work();
    }

    /** The most the first run may have taken, warm, given a later one: its time, scaled up by the work ratio when the first did more. */
    static double bound(Run first, Run later) {
        double ratio = Math.max(1.0, first.work() / Math.max(1e-300, later.work()));
        return later.solveMs() * ratio;
    }
}
