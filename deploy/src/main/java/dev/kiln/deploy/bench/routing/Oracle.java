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
 * The routing bench's oracle: every job run on every backend alone, {@link #RUNS} times
 * interleaved, each backend's time the median (and, reported apart, the minimum) of its runs.
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
    /** Jobs each backend runs untimed before the first row: the JIT's warm-up. */
    private static final int WARM_UP_JOBS = 10;

    /** One job's times per backend, ms, in the backends' order. */
    record Row(double[] median, double[] min) { }

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
     * Runs the first {@link #WARM_UP_JOBS} jobs untimed on every backend, once. Called before the
     * routed run too: measured first, the table warmed the JVM for it; with rows measured beside
     * the routed runs, the first routed run was the JVM's first solve (sim-half: 818–895 ms for a
     * 2 ms job, measured here: ./kiln bench routing --quick --case mixed --no-burst --seed 1 and
     * 8, trace), which the models then learned.
     */
    void warmUp() throws Exception {
        if (warm) return;
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            for (Backend b : backends) {
                for (int i = 0; i < Math.min(WARM_UP_JOBS, docs.size()); i++) {
                    b.solve(decoderOnly.decoder().decode(docs.get(i)), ProgressSink.NONE, Cancellation.NONE);
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
        // Untimed first run: a backend caches its format conversion by matrix fingerprint
        // (and the simulated devices share one base), so only the first run would pay it.
        backends.get(0).solve(job, ProgressSink.NONE, Cancellation.NONE);
        int k = backends.size();
        double[][] runs = new double[k][RUNS];
        for (int r = 0; r < RUNS; r++) { // interleaved, so a slow spell of the machine hits every backend
            for (int b = 0; b < k; b++) {
                long s = System.nanoTime();
                backends.get(b).solve(job, ProgressSink.NONE, Cancellation.NONE);
                runs[b][r] = (System.nanoTime() - s) / 1e6;
            }
        }
        double[] median = new double[k];
        double[] min = new double[k];
        for (int b = 0; b < k; b++) {
            Arrays.sort(runs[b]);
            median[b] = runs[b][RUNS / 2];
            min[b] = runs[b][0];
        }
        return new Row(median, min);
    }
}
