package dev.kiln.deploy.bench.routing;

import dev.kiln.deploy.bench.Bench;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.EarliestFinishRouter;
import dev.kiln.runtime.routing.Router;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.ProgressSink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./kiln bench routing}: a mixed stream of jobs ({@link MixedWorkload}: 70 % linear — 2-D
 * and 3-D Poisson, 10² to ~10⁵ unknowns, log-uniform —, 15 % QUBO on the instances of
 * {@code ../shared/data/qubo}, 15 % small train jobs) through the runtime, on each "world" of backends:
 * <ul>
 *   <li>{@code synthetic}: two simulated devices on the real CPU backend with crossing cost
 *       curves ({@code sim-launch}: +3 ms per job, like a device's launch and transfer;
 *       {@code sim-half}: half the host's throughput), so the choice matters today;</li>
 *   <li>{@code loaded}: every backend ServiceLoader found that is available and runs some kind of
 *       the workload — measured only when there are at least two (with one, there is nothing to route).</li>
 * </ul>
 * A job runs on the world's backends that support it (the runtime offers the router only those);
 * a job none of a world's backends runs (a tngd train job in the synthetic world, whose devices
 * are the CPU backend) is left out of that world and counted ({@code skipped_no_backend}).
 * Per world: from a cold start, the learned router places the jobs one at a time, and every job
 * is also run on every backend in isolation (the oracle's table, {@link Oracle})
 * ({@code case=<world>-sequential}: regret against the oracle's total time, over the first 100
 * jobs and after them, exploration share, the router's own time per decision); then all jobs
 * are submitted at once under each router ({@code case=<world>-burst}: makespan and mean
 * latency, as ratios to the learned router's). Writes {@code target/bench/routing-regret.svg}.
 *
 * <p>Then {@code case=tiny} ({@link TinyJobsRun}): tiny jobs through Kafka end to end.
 *
 * <p>{@code --case calibration} ({@link CalibrationCheck}): start-up calibration's cost per loaded backend × kind,
 * and its predictions for the workload's QUBO and train jobs against their measured times.
 *
 * <p>{@code --case synthetic} ({@link SyntheticWorld}): the learned router alone on a modelled workload
 * over 24 seeds, in seconds — where a change to the cost model is measured before the bench.
 *
 * <p>Options: {@code --case all|mixed|tiny|synthetic|calibration} ({@code --seeds N}, {@code --seed-from S}, {@code --world W} for synthetic), {@code --oracle-first} (the oracle's whole table before the
 * routed run, as before 29 Nov; default: each job's row right after its routed run), {@code --jobs N} (default 500, 150 with {@code --quick}),
 * {@code --worlds synthetic,loaded} (which worlds run; both by default), {@code --kafka-only} (with {@code --via-kafka}: the loaded world only through Kafka, its in-process sequential run skipped),
 * {@code --via-kafka} (the loaded world's sequential run once more with every job through the embedded broker and
 * {@code KilnService}: {@code case=loaded-kafka-sequential}, {@link KafkaSequentialRun}; implies the loaded world),
 * {@code --max-side N} (largest 2-D grid side; 320, 96 quick), {@code --qubo-dir DIR} (the QUBO instances; ../shared/data/qubo), {@code --seed S}, {@code --loaded} (run the loaded
 * world also with {@code --quick}), {@code --no-burst} (sequential only), {@code --burst-only} (no oracle, no
 * sequential run: repeated burst measurements), {@code --noise-floor} (each job's oracle row measured a second time:
 * {@code noise_floor_pct} = the first table's best choices scored on the second, {@code regret_second_table_pct} = the
 * routed choices scored on the second), {@code --learned-last} (the learned router's burst after its peers'), {@code --burst-rounds R} (each router's burst R times, rotating the order; medians), {@code --tiny-jobs N} (20 000, 2 000 quick), {@code --tiny-rate R}
 * (5 000/s), {@code --tiny-paced-jobs N} (jobs of the paced pass; 20 s at the rate, --tiny-jobs with --quick),
 * {@code --tiny-paced-warm-up N} (a paced pass of N jobs closing the warm-up; default: paced passes of 5 s until the JIT's compiler threads are done, at most 60 s; none with --quick),
 * {@code --tiny-client-linger-ms N} (the bench producer's linger.ms, 1), {@code --tiny-warm-up N} (jobs before the timed passes; default: passes of 5 000 until the JIT is done, at most 60 000), {@code --tiny-in-flight N} (the service's {@code kiln.kafka.max-in-flight}).
 */
public final class RoutingBench implements Bench {
    @Override public String name() { return "routing"; }

    @Override
    public String description() {
        return "learned earliest-finish routing vs oracle, shortest-queue and round-robin on a mixed linear/QUBO/train workload";
    }

    /**
     * Peers of the learned router in the burst case; {@code learned-early} is the learned router with
     * {@code kiln.routing.late-binding=false}: every job runs where it was routed on arrival.
     */
    private static final List<String> ROUTERS = List.of("learned", "learned-early", "shortest-queue", "round-robin");

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        String which = args.get("case", "all");
        if (!List.of("all", "mixed", "tiny", "synthetic", "calibration").contains(which)) {
            throw new IllegalArgumentException("--case must be all, mixed, tiny, synthetic or calibration, was '" + which + "'");
        }
        if (which.equals("calibration")) {
            CalibrationCheck.run(args, report);
            return;
        }
        if (which.equals("synthetic")) {
            synthetic(args, report);
            return;
        }
        if (!which.equals("tiny")) mixed(args, report);
        if (!which.equals("mixed")) TinyJobsRun.run(args, report);
    }

    /**
     * {@code --case synthetic}: the learned router alone in {@link SyntheticWorld}'s worlds, seeds
     * {@code --seed-from} (1) … + {@code --seeds} (24) − 1, no solves and no clock (a second or
     * two): per seed its regret after 100 jobs and its largest single loss, then per world the
     * mean, the max and how many seeds are over 10 %. {@code --world family|cold|spiky|cold-spiky}
     * for one world (default: all four).
     */
    private static void synthetic(BenchArgs args, BenchReport report) {
        int seeds = args.getInt("seeds", 24);
        long from = args.getLong("seed-from", 1);
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be ≥ 1, was " + seeds);
        String world = args.get("world", "all");
        List<SyntheticWorld.Variant> variants = Arrays.stream(SyntheticWorld.Variant.values())
                .filter(v -> world.equals("all") || v.label().equals(world)).toList();
        if (variants.isEmpty()) throw new IllegalArgumentException("--world must be all, family, cold, spiky or cold-spiky, was '" + world + "'");
        for (SyntheticWorld.Variant v : variants) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            int over = 0;
            for (long s = from; s < from + seeds; s++) {
                SyntheticWorld.Outcome o = SyntheticWorld.run(v, s);
                double pct = 100 * o.regret();
                sum += pct;
                max = Math.max(max, pct);
                if (pct > 10) over++;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("seed", s);
                row.put("regret_pct", pct);
                row.put("largest_loss_pct", 100 * o.largestLoss());
                row.put("largest_loss_job", o.largestLossJob());
                report.record("synthetic-" + v.label(), row);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("seeds", seeds);
            summary.put("mean_regret_pct", sum / seeds);
            summary.put("max_regret_pct", max);
            summary.put("seeds_over_10_pct", over);
            report.record("synthetic-" + v.label() + "-summary", summary);
        }
    }

    /**
     * Largest 2-D grid side of the linear jobs (3-D: half of it): 320 reaches 10⁵ unknowns in 2-D
     * and 4·10⁶ in 3-D (160³), the "10² to 10⁶ unknowns" and past it; 96 in {@code --quick}
     * keeps the run under a minute.
     */
    static final int FULL_MAX_SIDE = 320;
    static final int QUICK_MAX_SIDE = 96;

    private void mixed(BenchArgs args, BenchReport report) throws Exception {
        int jobs = args.getInt("jobs", args.quick() ? 150 : 500);
        long seed = args.getLong("seed", 42);
        int maxSide2d = args.getInt("max-side", args.quick() ? QUICK_MAX_SIDE : FULL_MAX_SIDE);
        // Recycling off (history 0) and an explicit method (workload()): the routed runs must do
        // the work the oracle timed. With method auto and recycling, each backend's tuner tried
        // arms (ic0, chebyshev, ssor) and warm starts per family, so a routed run took 0.3-10×
        // the oracle's time for the same job (measured here: seed 42, trace; 1 146 ms routed
        // where the oracle's 372 ms) and the models learned the tuner's exploration, not the backend.
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.QUEUE_CAPACITY.name(), Integer.toString(jobs + 16),
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "60000", KilnConfig.RECYCLING_HISTORY.name(), "0"));
        BackendRegistry loaded = BackendRegistry.load(RoutingBench.class.getClassLoader(), config.asMap());
        List<Backend> usable = loaded.all().stream().filter(BackendHandle::usable).map(BackendHandle::backend).toList();
        if (usable.isEmpty()) throw new IllegalStateException("no backend is available");
        Backend base = usable.stream().filter(b -> b.id().equals("cpu")).findFirst().orElse(usable.get(0));
        Path quboDir = Path.of(args.get("qubo-dir", BenchArgs.sharedData().resolve("qubo").toString()));
        List<String> docs = MixedWorkload.documents(jobs, seed, maxSide2d, MixedWorkload.quboInstances(quboDir));
        report.environment("jobs", jobs);
        report.environment("loaded_backends", String.join(",", usable.stream().map(Backend::id).toList()));

        Map<String, Supplier<List<Backend>>> worlds = new LinkedHashMap<>();
        worlds.put("synthetic", () -> List.of(new SimulatedDevice("sim-launch", base, 3.0, 0.0),
                new SimulatedDevice("sim-half", base, 0.0, 1.0)));
        // The loaded backends that run some job of the workload, judged on the first job of each
        // family (a family is one kind, one generator or instance source, one optimizer).
        List<Backend> capable = new ArrayList<>();
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            List<Job> samples = new ArrayList<>();
            java.util.Set<String> families = new java.util.HashSet<>();
            for (String d : docs) {
                String family = MixedWorkload.kindOf(d) + "/" + familyOf(d);
                if (families.add(family)) samples.add(decoderOnly.decoder().decode(d));
            }
            for (Backend b : usable) if (samples.stream().anyMatch(j -> b.supports(j).supported())) capable.add(b);
        }
        if (args.quick() && !args.has("loaded") && !args.has("via-kafka")) report.progress("--quick: the 'loaded' world is skipped (add --loaded to run it)");
        else if (capable.size() >= 2) worlds.put("loaded", () -> capable);
        else report.progress("only " + capable.stream().map(Backend::id).toList()
                + " of the loaded backends run the workload's jobs: the 'loaded' world has nothing to route; skipped");

        if (args.has("worlds")) {
            List<String> wanted = List.of(args.get("worlds", "").split(","));
            for (String name : wanted) {
                if (!name.equals("synthetic") && !name.equals("loaded")) {
                    throw new IllegalArgumentException("--worlds takes synthetic and/or loaded (comma-separated), was '" + args.get("worlds", "") + "'");
                }
            }
            worlds.keySet().retainAll(wanted);
            if (worlds.isEmpty()) throw new IllegalArgumentException("--worlds " + wanted + ": none of these worlds can run here");
        }
        boolean kafkaOnly = args.has("kafka-only");
        if (kafkaOnly && !args.has("via-kafka")) throw new IllegalArgumentException("--kafka-only needs --via-kafka");

        double[] regretCurve = null;
        String curveOf = null;
        for (Map.Entry<String, Supplier<List<Backend>>> w : worlds.entrySet()) {
            List<Backend> backends = w.getValue().get();
            if (args.has("burst-only")) {
                // Without the oracle table the JVM is cold: the learned router, measured first,
                // would calibrate and run on the interpreter (measured here: --burst-only without
                // this, bookings 160-370 s for 5-7 s of solves and makespans 3-5x round-robin's).
                // Every job once on the base backend, as the oracle table's runs warm it.
                try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
                    for (String d : docs) {
                        Job job = decoderOnly.decoder().decode(d);
                        if (base.supports(job).supported()) base.solve(job, ProgressSink.NONE, Cancellation.NONE);
                    }
                }
            } else {
                Oracle oracle = new Oracle(backends, docs, config);
                if (args.has("oracle-first")) {
                    report.progress(w.getKey() + ": oracle table first (" + jobs + " jobs × " + backends.size() + " backends)");
                    oracle.measureAll();
                }
                boolean viaKafka = args.has("via-kafka") && w.getKey().equals("loaded");
                // --kafka-only: the loaded world's in-process sequential run is skipped (it takes as long as the Kafka one).
                if (!(kafkaOnly && viaKafka)) {
                    double[] curve = sequential(w.getKey(), backends, docs, oracle, config, seed, args.has("noise-floor"), report);
                    if (regretCurve == null) {
                        regretCurve = curve;
                        curveOf = w.getKey() + " world";
                    }
                }
                if (viaKafka) {
                    // A fresh table: its rows are measured beside the Kafka run's jobs, as the in-process run's beside its own.
                    double[] curve = KafkaSequentialRun.run(backends, docs, kafkaOnly ? oracle : new Oracle(backends, docs, config), jobs + 16, report);
                    if (regretCurve == null) {
                        regretCurve = curve;
                        curveOf = "loaded world through Kafka";
                    }
                }
            }
            if (!args.has("no-burst")) burst(w.getKey(), backends, docs, config, seed, routers(args), args.getInt("burst-rounds", 1), report);
        }
        loaded.close();
        if (regretCurve != null) plot(report.dir().resolve("routing-regret.svg"), regretCurve, curveOf);
    }

    private static EarliestFinishRouter learned(KilnConfig config, long seed) {
        return new EarliestFinishRouter(new dev.kiln.runtime.routing.CostModel(),
                Double.parseDouble(config.get(KilnConfig.ROUTING_EXPLORE_RATE)), config.getLong(KilnConfig.ROUTING_EXPLORE_BURST), seed);
    }

    /**
     * Cold start, one job at a time; returns the cumulative regret curve (%). Unless the table
     * was measured first ({@code --oracle-first}), each job's oracle row is measured right after
     * its routed run, so the routed choice is scored against the backends' times under the same
     * machine load the models were learning from (see {@link Oracle}).
     */
    private static double[] sequential(String world, List<Backend> backends, List<String> docs, Oracle oracle,
                                       KilnConfig config, long seed, boolean noiseFloor, BenchReport report) throws Exception {
        oracle.warmUp();
        warmLanes(backends, docs, config);
        EarliestFinishRouter router = learned(config, seed);
        List<String> ids = backends.stream().map(Backend::id).toList();
        SequentialScore score = new SequentialScore(docs.size());
        Regret again = noiseFloor ? new Regret(docs.size()) : null;
        Regret routedAgain = noiseFloor ? new Regret(docs.size()) : null;
        try (KilnRuntime rt = new KilnRuntime(config, BackendRegistry.borrowing(backends, config.asMap()), router)) {
            for (int j = 0; j < docs.size(); j++) {
                Job job = rt.decoder().decode(docs.get(j));
                if (!Oracle.any(Oracle.capable(backends, job))) {
                    score.skip();
                    continue;
                }
                String kind = job.kind().wireName();
                Submission s = rt.submit(job);
                if (!(s instanceof Submission.Accepted a)) throw new IllegalStateException("job " + j + " not accepted: " + s);
                JobResult r = a.record().result().get(10, TimeUnit.MINUTES);
                if (r.status() != JobStatus.SUCCEEDED) throw new IllegalStateException("job " + j + ": " + r.status() + " " + r.error());
                awaitIdle(rt, router, ids);
                int b = ids.indexOf(r.backend());
                Oracle.Row row = oracle.row(j);
                score.add(j, kind, row, b, r.routing() != null && r.routing().explored());
                if (again != null) {
                    // The table's best on the first row, scored on a second row measured right after:
                    // what a router that knew the first table exactly would score — the noise floor.
                    Oracle.Row second = oracle.fresh(j);
                    again.add(j, second.median(), argmin(row.median()));
                    routedAgain.add(j, second.median(), b);
                }
                if (Boolean.getBoolean("kiln.bench.trace")) {
                    report.progress(j + " " + describe(docs.get(j)) + " t=" + Arrays.toString(row.median()) + " min=" + Arrays.toString(row.min())
                            + " chose " + r.backend() + " solve_ms=" + r.timing().solveMs()
                            + " method=" + r.method() + " iterations=" + r.iterations() + " " + r.routing());
                }
            }
        }
        Map<String, Object> f = score.fields(ids);
        if (again != null) {
            f.put("noise_floor_pct", again.warmPct());
            f.put("noise_floor_first100_pct", again.coldPct());
            f.put("regret_second_table_pct", routedAgain.warmPct());
        }
        f.put("oracle", oracle.measuredFirst() ? "first" : "interleaved");
        f.put("overhead_us", overheadUs(router, rt(config, backends, docs.get(0))));
        report.record(world + "-sequential", f);
        return score.median.curve();
    }

    /** Index of the smallest finite entry (ties: first; NaN is a backend that cannot run the job). */
    static int argmin(double[] row) {
        int best = -1;
        for (int i = 0; i < row.length; i++) if (Double.isFinite(row[i]) && (best < 0 || row[i] < row[best])) best = i;
        return best;
    }

    /** Jobs of each kind each capable backend runs through a throwaway runtime before the routed run ({@link #warmLanes}). */
    private static final int LANE_WARM_UP_JOBS = 4;

    /**
     * Runs the first few jobs on every backend through a throwaway runtime (shortest-queue
     * router, explicit backend), untimed and unlearned. {@link Oracle#warmUp} calls the backends
     * directly, so the runtime's own path (submission, lanes, workers, result) was still cold at
     * the routed run's first jobs: the first routed run on each backend took 2–45× its oracle
     * time (job 0 on sim-half 13–73 ms against 5–26; job 1 on sim-launch 109 and 214 ms against
     * 4.5 and 4.8; measured here: {@code -Dkiln.bench.trace=true ./kiln bench routing --quick --case
     * mixed --no-burst}, seeds 42 and 9, 29 Nov 03:00), and the learned model took that run as
     * the backend's cost: sim-launch predicted 10–130× its time for every larger job, which then
     * all went to sim-half (68 % regret). A Kiln start-up absorbs the same first run in its
     * calibration's unlearned cold run ({@link Calibration}); the bench's cold start has no calibration.
     * The first few of each kind, on the backends capable of each: the QUBO and train paths are
     * cold too.
     */
    private static void warmLanes(List<Backend> backends, List<String> docs, KilnConfig config) throws Exception {
        try (KilnRuntime rt = new KilnRuntime(config, BackendRegistry.borrowing(backends, config.asMap()), new ShortestQueueRouter())) {
            for (int i : Oracle.firstOfEachKind(docs, LANE_WARM_UP_JOBS)) {
                for (Backend b : backends) {
                    if (!b.supports(rt.decoder().decode(docs.get(i))).supported()) continue;
                    String doc = docs.get(i).replace("\"options\":{", "\"options\":{\"backend\":\"" + b.id() + "\",");
                    Submission s = rt.submit(rt.decoder().decode(doc));
                    if (!(s instanceof Submission.Accepted a)) throw new IllegalStateException("warm-up job not accepted: " + s);
                    JobResult r = a.record().result().get(10, TimeUnit.MINUTES);
                    if (r.status() != JobStatus.SUCCEEDED || !b.id().equals(r.backend())) {
                        throw new IllegalStateException("warm-up job on " + b.id() + ": " + r.status() + " on " + r.backend());
                    }
                }
            }
        }
    }

    private static final Pattern GRID = Pattern.compile("\"generator\":\"(\\w+)\",\"nx\":(\\d+)");
    private static final Pattern WORK = Pattern.compile("\"(sweeps|epochs)\":(\\d+)");
    private static final Pattern QUBO_SIZE = Pattern.compile("\"(?:maxcut|qubo)\":\\{\"n\":(\\d+)");
    private static final Pattern FAMILY = Pattern.compile("\"family\":\"([^\"]+)\"");

    /** "poisson2d nx=40", "qubo beasley n=250 sweeps=31", "train digits-mlp16-adam epochs=2" for a job document of {@link MixedWorkload} (trace lines). */
    private static String describe(String doc) {
        Matcher m = GRID.matcher(doc);
        if (m.find()) return m.group(1) + " nx=" + m.group(2);
        Matcher work = WORK.matcher(doc);
        Matcher size = QUBO_SIZE.matcher(doc);
        return MixedWorkload.kindOf(doc) + " " + familyOf(doc) + (size.find() ? " n=" + size.group(1) : "")
                + (work.find() ? " " + work.group(1) + "=" + work.group(2) : "");
    }

    /** The {@code family} a document of {@link MixedWorkload} names. */
    static String familyOf(String doc) {
        Matcher m = FAMILY.matcher(doc);
        return m.find() ? m.group(1) : "";
    }

    /**
     * Waits until every lane is empty and the router has released the job's booking: the
     * result future completes before the lane's counters drop and before the router's own
     * completion callback runs, so the next job, routed at once, would see the previous one
     * still queued and wait behind it (measured here: the trace showed {@code queued=1} in
     * a one-job-at-a-time run, and the router taking the other backend for it).
     */
    static void awaitIdle(KilnRuntime rt, EarliestFinishRouter router, List<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean idle = true;
            for (String id : ids) idle &= rt.queued(id) + rt.running(id) == 0 && router.outstandingMs(id) < 1e-9;
            if (idle) return;
            Thread.sleep(0, 100_000);
        }
        throw new IllegalStateException("backends still busy 10 s after the job's result");
    }

    /** One decoded job and its candidates, for timing the router alone. */
    private record Probe(Job job, List<Router.Candidate> candidates) { }

    private static Probe rt(KilnConfig config, List<Backend> backends, String doc) throws Exception {
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            Job job = decoderOnly.decoder().decode(doc);
            List<Router.Candidate> cs = new ArrayList<>();
            for (Backend b : backends) if (b.supports(job).supported()) cs.add(new Router.Candidate(b.id(), 0, 0, 1, b.features(job)));
            return new Probe(job, cs);
        }
    }

    /** Mean time of one learned routing decision (trained model, idle backends), µs. */
    private static double overheadUs(EarliestFinishRouter router, Probe p) {
        int n = 200_000;
        for (int i = 0; i < n / 4; i++) router.completed(router.route(p.job(), p.candidates()), null);
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) router.completed(router.route(p.job(), p.candidates()), null);
        return (System.nanoTime() - s) / 1e3 / n;
    }

    /**
     * The burst's routers in the order run: {@link #ROUTERS}, or with {@code --learned-last} the
     * learned router after its peers — the first runs on the coldest JVM, so the order is worth varying.
     */
    static List<String> routers(BenchArgs args) {
        if (!args.has("learned-last")) return ROUTERS;
        List<String> out = new ArrayList<>(ROUTERS);
        out.remove("learned");
        out.add("learned");
        return out;
    }

    /**
     * Every job submitted at once, under each router; makespan and latency as ratios to the learned
     * router's. An unrecorded round-robin burst runs first: the first burst of a JVM pays the JIT for
     * the runtime's whole path, and whichever router ran first read slowest (measured here, quick
     * synthetic world, 29 Nov: learned first 1 422 / 1 599 ms against round-robin last 746 / 723; with
     * {@code --learned-last} learned 906 against learned-early first 1 709). With {@code --burst-rounds R}
     * the routers run R times, each round starting one router later, and each figure is the median.
     */
    private static void burst(String world, List<Backend> backends, List<String> docs, KilnConfig config, long seed,
                              List<String> routers, int rounds, BenchReport report) throws Exception {
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (String name : routers) results.put(name, new ArrayList<>());
        List<String> order = new ArrayList<>();
        order.add("warm-up");
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < routers.size(); i++) order.add(routers.get((i + r) % routers.size()));
        }
        List<Job> held = null; // the leading jobs whose matrices fit the heap budget, decoded once
        for (String name : order) {
            if (held == null) {
                try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
                    // Decoded in order while they fit the heap budget (BurstMemory): every job of a burst is alive at once.
                    held = BurstMemory.decodeFitting(docs, decoderOnly.decoder()::decode, BurstMemory.budget());
                }
                int before = held.size();
                held = held.stream().filter(j -> Oracle.any(Oracle.capable(backends, j))).toList();
                if (held.size() < before) report.progress(world + " burst: " + (before - held.size()) + " jobs no backend of the world runs left out");
                if (before < docs.size()) {
                    report.progress(world + " burst: the first " + before + " of " + docs.size() + " jobs (their problems fit "
                            + Math.round(BurstMemory.HEAP_SHARE * 100) + " % of the " + (Runtime.getRuntime().maxMemory() >> 20)
                            + " MiB heap; all of a burst's jobs are held at once)");
                }
            }
            double[] v = oneBurst(world, name, backends, held, config, seed, report);
            if (!name.equals("warm-up")) results.get(name).add(v);
        }
        double[] l = medians(results.get("learned"));
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            double[] v = medians(e.getValue());
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("router", e.getKey());
            f.put("jobs", held.size());
            f.put("workload_jobs", docs.size());
            f.put("rounds", rounds);
            f.put("makespan_ms", v[0]);
            f.put("mean_latency_ms", v[1]);
            f.put("p99_ms", v[2]);
            f.put("moved", v[3]);
            f.put("makespan_vs_learned", v[0] / l[0]);
            f.put("latency_vs_learned", v[1] / l[1]);
            report.record(world + "-burst", f);
        }
    }

    /** Each column's median over the rounds. */
    private static double[] medians(List<double[]> rounds) {
        double[] out = new double[rounds.get(0).length];
        for (int c = 0; c < out.length; c++) {
            final int col = c;
            double[] xs = rounds.stream().mapToDouble(v -> v[col]).sorted().toArray();
            out[c] = xs.length % 2 == 1 ? xs[xs.length / 2] : 0.5 * (xs[xs.length / 2 - 1] + xs[xs.length / 2]);
        }
        return out;
    }

    /**
     * One burst under one router, in a fresh runtime over the shared backends: {makespan ms, mean
     * latency ms, p99 latency ms, jobs moved to an idle backend}. The jobs are re-used across bursts:
     * a job's problem is read-only to the backends, and each runtime keeps its own records.
     */
    private static double[] oneBurst(String world, String name, List<Backend> backends, List<Job> jobs, KilnConfig config,
                                     long seed, BenchReport report) throws Exception {
        Router router = switch (name) {
            case "learned", "learned-early" -> learned(config, seed);
            case "shortest-queue" -> new ShortestQueueRouter();
            default -> new RoundRobinRouter();
        };
        KilnConfig runConfig = config;
        if (name.equals("learned-early")) {
            Map<String, String> s = new LinkedHashMap<>(config.asMap());
            s.put(KilnConfig.ROUTING_LATE_BINDING.name(), "false");
            runConfig = KilnConfig.of(s);
        }
        try (KilnRuntime rt = new KilnRuntime(runConfig, BackendRegistry.borrowing(backends, runConfig.asMap()), router)) {
            // The learned router starts calibrated, as at a Kiln start-up; its peers need nothing.
            router.costModel().ifPresent(m -> Calibration.run(rt.backends(), m));
            long s = System.nanoTime();
            List<CompletableFuture<JobResult>> fs = new ArrayList<>();
            for (Job j : jobs) {
                if (!(rt.submit(j) instanceof Submission.Accepted a)) throw new IllegalStateException("burst job refused");
                fs.add(a.record().result());
            }
            double[] lat = new double[fs.size()];
            // Per backend: jobs, measured solve ms, predicted ms (learned router) — where the work went.
            Map<String, double[]> split = new java.util.TreeMap<>();
            int moved = 0; // jobs an idle backend took from another's queue (late binding)
            for (int i = 0; i < fs.size(); i++) {
                JobResult r = fs.get(i).get(30, TimeUnit.MINUTES);
                lat[i] = r.timing().totalMs();
                if (Boolean.getBoolean("kiln.bench.trace") && r.routing() != null) {
                    report.progress(name + " " + i + " solve=" + r.timing().solveMs() + " predicted=" + r.cost().predictedMs()
                            + " chose " + r.backend() + " " + r.routing());
                }
                if (r.routing() != null && r.routing().movedFrom() != null) moved++;
                double[] b = split.computeIfAbsent(r.backend(), k -> new double[3]);
                b[0]++;
                b[1] += r.timing().solveMs();
                if (r.cost() != null && Double.isFinite(r.cost().predictedMs())) b[2] += r.cost().predictedMs();
            }
            double makespan = (System.nanoTime() - s) / 1e6;
            StringBuilder where = new StringBuilder();
            split.forEach((b, v) -> where.append(String.format(java.util.Locale.ROOT, " %s: %d jobs, solve %.0f ms, predicted %.0f ms;",
                    b, (int) v[0], v[1], v[2])));
            report.progress(world + " burst, " + name + ":" + where + " moved to an idle backend: " + moved
                    + "; makespan " + Math.round(makespan) + " ms");
            return new double[] {makespan, Arrays.stream(lat).average().orElseThrow(), TinyPass.percentile(lat, 0.99), moved};
        }
    }

    /** Cumulative regret (%) against job number, as a small SVG line chart. */
    private static void plot(Path file, double[] curve, String world) throws java.io.IOException {
        int w = 640, h = 320, pad = 40;
        double max = Math.max(1, Arrays.stream(curve).max().orElse(1));
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(w).append("' height='").append(h).append("'>\n");
        sb.append("<rect width='100%' height='100%' fill='white'/>\n");
        sb.append("<text x='").append(pad).append("' y='20' font-family='sans-serif' font-size='13'>routing: cumulative regret vs oracle (%), ").append(world).append(", cold start</text>\n");
        sb.append("<line x1='").append(pad).append("' y1='").append(h - pad).append("' x2='").append(w - 10).append("' y2='").append(h - pad).append("' stroke='black'/>\n");
        sb.append("<line x1='").append(pad).append("' y1='").append(h - pad).append("' x2='").append(pad).append("' y2='30' stroke='black'/>\n");
        sb.append("<text x='5' y='35' font-size='11'>").append(String.format(java.util.Locale.ROOT, "%.0f%%", max)).append("</text>\n");
        sb.append("<text x='").append(w - 60).append("' y='").append(h - 20).append("' font-size='11'>job ").append(curve.length).append("</text>\n");
        sb.append("<polyline fill='none' stroke='#c0392b' stroke-width='1.5' points='");
        for (int i = 0; i < curve.length; i++) {
            double x = pad + (w - pad - 10) * (double) i / Math.max(1, curve.length - 1);
            double y = (h - pad) - (h - pad - 30) * Math.max(0, curve[i]) / max;
            sb.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        sb.append("'/>\n</svg>\n");
        Files.writeString(file, sb.toString());
    }
}
