package dev.kiln.deploy.bench.routing;

import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.CalibrationPlan;
import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.routing.Prediction;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln bench routing --case calibration}: what start-up calibration costs and whether it
 * predicts the routing bench's jobs. Per loaded backend × kind, the standard calibration on a
 * fresh cost model ({@code case=calibration}: runs learned, wall ms — the start-up cost); then
 * each QUBO and train job of the mixed workload's first {@code --jobs} (150 with {@code --quick})
 * on every backend that runs it: the calibrated model's prediction (as the router asks it: the
 * job's family, the backend's features) against the job's measured time (the second of two
 * runs, the first warming its path), {@code case=calibration-check}: per backend × kind the
 * median, smallest and largest predicted ÷ measured, and the share within a factor 3.
 */
final class CalibrationCheck {
    /** Factor within which a prediction counts as of the right order. */
    static final double WITHIN = 3;

    private CalibrationCheck() { }

    static void run(BenchArgs args, BenchReport report) throws Exception {
        int jobs = args.getInt("jobs", args.quick() ? 150 : 500);
        long seed = args.getLong("seed", 42);
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.RECYCLING_HISTORY.name(), "0"));
        Path quboDir = Path.of(args.get("qubo-dir", BenchArgs.sharedData().resolve("qubo").toString()));
        // The largest grid side only shapes the linear documents, which this check leaves out.
        List<String> docs = MixedWorkload.documents(jobs, seed, RoutingBench.QUICK_MAX_SIDE, MixedWorkload.quboInstances(quboDir));
        List<Job> decoded = new ArrayList<>();
        try (KilnRuntime decoderOnly = new KilnRuntime(config, BackendRegistry.of(List.of(), config.asMap()), new ShortestQueueRouter())) {
            for (String d : docs) if (!MixedWorkload.kindOf(d).equals("linear")) decoded.add(decoderOnly.decoder().decode(d));
        }
        try (BackendRegistry loaded = BackendRegistry.load(CalibrationCheck.class.getClassLoader(), config.asMap())) {
            List<Backend> usable = loaded.all().stream().filter(BackendHandle::usable).map(BackendHandle::backend).toList();
            CostModel model = new CostModel();
            for (Backend b : usable) {
                try (BackendRegistry one = BackendRegistry.borrowing(List.of(b), config.asMap())) {
                    for (CalibrationPlan plan : Calibration.standardPlans()) {
                        long t0 = System.nanoTime();
                        int runs = Calibration.run(one, model, List.of(plan), System::nanoTime);
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("backend", b.id());
                        row.put("kind", plan.kind().wireName());
                        row.put("runs_learned", runs);
                        row.put("ms", (System.nanoTime() - t0) / 1e6);
                        report.record("calibration", row);
                    }
                }
            }
            for (Backend b : usable) {
                for (JobKind kind : List.of(JobKind.QUBO, JobKind.TRAIN)) {
                    List<Double> ratios = new ArrayList<>();
                    double predictedSum = 0;
                    double measuredSum = 0;
                    for (Job j : decoded) {
                        if (j.kind() != kind || !b.supports(j).supported()) continue;
                        Prediction p = model.predict(b.id(), kind, j.family(), b.features(j));
                        b.solve(j, ProgressSink.NONE, Cancellation.NONE);
                        long s = System.nanoTime();
                        SolveOutcome out = b.solve(j, ProgressSink.NONE, Cancellation.NONE);
                        double ms = (System.nanoTime() - s) / 1e6;
                        if (!out.succeeded() || !p.known()) continue;
                        ratios.add(p.ms() / ms);
                        predictedSum += p.ms();
                        measuredSum += ms;
                        if (Boolean.getBoolean("kiln.bench.trace")) {
                            report.progress(String.format(java.util.Locale.ROOT, "%s %s %s predicted %.2f ms, measured %.2f ms",
                                    b.id(), kind.wireName(), j.family(), p.ms(), ms));
                        }
                    }
                    if (ratios.isEmpty()) continue;
                    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("backend", b.id());
                    row.put("kind", kind.wireName());
                    row.put("jobs", r.length);
                    row.put("predicted_over_measured_median", r.length % 2 == 1 ? r[r.length / 2] : Math.sqrt(r[r.length / 2 - 1] * r[r.length / 2]));
                    row.put("predicted_over_measured_min", r[0]);
                    row.put("predicted_over_measured_max", r[r.length - 1]);
                    row.put("within_3x_pct", 100.0 * Arrays.stream(r).filter(x -> x <= WITHIN && x >= 1 / WITHIN).count() / r.length);
                    row.put("predicted_ms_total", predictedSum);
                    row.put("measured_ms_total", measuredSum);
                    report.record("calibration-check", row);
                }
            }
        }
    }
}
