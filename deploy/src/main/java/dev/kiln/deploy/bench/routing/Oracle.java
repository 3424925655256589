package dev.kiln.deploy.bench.routing;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.ProgressSink;

import java.util.Arrays;
import java.util.List;

/**
 * The routing bench's oracle: every job run on every backend capable of it ({@link
 * Backend#supports}) alone, {@link #RUNS} times interleaved, each backend's time the median (and,
 * reported apart, the minimum) of its runs; NaN for a backend that cannot run the job (in the
 * loaded world a QUBO job runs on cpu, opencl and neuromorphic, a train job on cpu or, for tngd,
 * on thermodynamic alone, a linear pcg job on cpu and opencl).
 *
 * <p>Rows are measured on demand: the sequential run asks for job j's row right after the
 * router has placed and run job j, so the row and the routed decision see the machine in the
 * same state. Measured all up front (the earlier order, {@code --oracle-first}), the table and
 * the routed run were minutes apart, and a shared machine's speed drifts over minutes: at load
 * 6–9 on the 2 cores, a 3-D job's table said sim-launch 73.5 ms / sim-half 120 ms where its
 * routed sim-half run took 18 ms (measured here: {@code -Dkiln.bench.trace=true ./kiln bench
 * routing --quick --case mixed --no-burst --seed 2 --jobs 400}, job 339), and one build scored
 * 5.7 % and 65 % on the same seed (round 3; docs/ARCHITECTURE.md issue 8).
 */
final class Oracle {
    /**
     * Runs per job per backend. One run is not enough on a shared machine: a single
     * descheduled wake-up (a simulated device's sleep ends on the scheduler's 4 ms tick when
     * the cores are busy) made one backend look 10× slower for a job, and the oracle's min over
     * backends then took the other's lucky run.
     */
    static final int RUNS = 3;
    /** Jobs of each kind each capable backend runs untimed before the first row: the JIT's warm-up. */
    private static final int WARM_UP_JOBS = 10;

    /** One job's times per backend, ms, in the backends' order; NaN where the backend cannot run it. */
    record Row(double[] median, double[] min) { }

    /** Which of {@code backends} can run {@code job}, in their order. */
    static boolean[] capable(List<Backend> backends, Job job) {
        boolean[] out = new boolean[backends.size()];
        for (int b = 0; b < out.length; b++) out[b] = backends.get(b).supports(job).supported();
        return out;
    }

    /** Whether any of them can. */
    static boolean any(boolean[] capable) {
        for (boolean c : capable) if (c) return true;
        return false;
    }

    /**
     * Indices of the first {@code perKind} documents of each kind, in workload order: the warm-ups
     * must reach every kind's code path, not only the linear one the workload starts with.
     */
    static List<Integer> firstOfEachKind(List<String> docs, int perKind) {
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        List<Integer> out = new java.util.ArrayList<>();
        for (int j = 0; j < docs.size(); j++) {
            if (seen.merge(MixedWorkload.kindOf(docs.get(j)), 1, Integer::sum) <= perKind) out.add(j);
        }
        return out;
    }

    private final List<Backend> backends;
    private final List<String> docs;
    private final KilnConfig config;
    private final Row[] rows;
    private boolean warm;
    private boolean measuredFirst;

    Oracle(List<Backend> backends, List<String> docs, KilnConfig config) {
        this.backends = backends;
        this.docs = docs;
        this.config = config;
        this.rows = new Row[docs.size()];
    }

    /** Measures every row now (the table before the routed run). */
    void measureAll() throws Exception {
        measuredFirst = true;
        for (int j = 0; j < docs.size(); j++) row(j);
    }

    boolean measuredFirst() { return measuredFirst; }

    /**
     * Runs the first {@link #WARM_UP_JOBS} jobs of each kind untimed on every backend capable of them, once. Called before the
     * routed run too: measured first, the table warmed the JVM for it; with rows measured beside
     * the routed runs, the first routed run was the JVM's first solve (sim-half: 818–895 ms for a
     * 2 ms job, measured here: ./kiln bench routing --quick --case mixed --no-burst --seed 1 and
     * 8, trace), which the models then learned.
     */
    void warmUp() throws Exception {
        if (warm) return;
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            List<Integer> first = firstOfEachKind(docs, WARM_UP_JOBS);
            for (Backend b : backends) {
                for (int i : first) {
                    Job job = decoderOnly.decoder().decode(docs.get(i));
                    if (b.supports(job).supported()) b.solve(job, ProgressSink.NONE, Cancellation.NONE);
                }
            }
        }
        warm = true;
    }

    /** Job j's row, measured now unless it already was. */
    Row row(int j) throws Exception {
        if (rows[j] != null) return rows[j];
        rows[j] = fresh(j);
        return rows[j];
    }

    /**
     * Job j's row measured again, now, and not kept: a second table of the same jobs, so that a
     * choice made on one table can be scored on the other (the oracle's own noise floor, {@code
     * --noise-floor}).
     */
    Row fresh(int j) throws Exception {
        warmUp();
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            return measure(decoderOnly.decoder().decode(docs.get(j)));
        }
    }

    private Row measure(Job job) throws BackendException {
        boolean[] can = capable(backends, job);
        int k = backends.size();
        double[] median = new double[k];
        double[] min = new double[k];
        Arrays.fill(median, Double.NaN);
        Arrays.fill(min, Double.NaN);
        if (!any(can)) return new Row(median, min);
        // Untimed first run: a backend caches its format conversion by matrix fingerprint
        // (and the simulated devices share one base), so only the first run would pay it.
        for (int b = 0; b < k; b++) {
            if (!can[b]) continue;
            backends.get(b).solve(job, ProgressSink.NONE, Cancellation.NONE);
            break;
        }
        double[][] runs = new double[k][RUNS];
        for (int r = 0; r < RUNS; r++) { // interleaved, so a slow spell of the machine hits every backend
            for (int b = 0; b < k; b++) {
                if (!can[b]) continue;
                long s = System.nanoTime();
                backends.get(b).solve(job, ProgressSink.NONE, Cancellation.NONE);
                runs[b][r] = (System.nanoTime() - s) / 1e6;
            }
        }
        for (int b = 0; b < k; b++) {
            if (!can[b]) continue;
            Arrays.sort(runs[b]);
            median[b] = runs[b][RUNS / 2];
            min[b] = runs[b][0];
        }
        return new Row(median, min);
    }
}
