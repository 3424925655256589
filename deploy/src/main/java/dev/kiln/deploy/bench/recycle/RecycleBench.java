package dev.kiln.deploy.bench.recycle;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.deploy.bench.Bench;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.deploy.bench.SvgChart;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleBinaryOperator;

/**
 * {@code ./kiln bench recycle}: Krylov recycling within a family (issue 4) through the whole
 * runtime — Kiln runtimes on the CPU backend solve the same systems: {@code cold} (jobs without
 * a family: PCG from x = 0, what a solver library does; the peer every ratio is against),
 * {@code warm} (the family's nearest earlier solution as x0, nothing else:
 * {@code kiln.recycling.history=1}, {@code vectors=0}), {@code recycled} (Kiln's defaults: the
 * Galerkin start on the family's nearest earlier solutions plus the recycled Ritz subspace,
 * refreshed every few solves) and {@code solutions_only} (the same without the subspace,
 * {@code vectors=0}: what the start on earlier solutions gives alone). Jobs are
 * {@code method: pcg} (with Jacobi, what {@code auto} runs on these SPD systems; {@code auto} in
 * a family would have the method tuner explore other preconditioners), tolerance 1e-8; one worker per
 * runtime so solves do not overlap; the runtimes take turns job by job (and at going first), so
 * machine noise falls on all alike. Times are wall times from submission to result, including
 * Kiln's own recycling work (sketches, memory), and the process's CPU time beside them
 * ({@code *_cpu_ms}), which a shared machine disturbs far less.
 *
 * <p>Cases (all on the unit square, 5-point finite volumes, {@link PoissonGenerator}):
 * <ul>
 *   <li>{@code heat}: backward Euler for u_t = ∇·(k∇u) with k(x, y) = 1 + ½·sin(2πx)·sin(2πy),
 *   each step (I + Δt·A)·u' = u, as issue 4 states it (scaled by 1/α: (A_h + I/α)·u' = u/α with
 *   α = Δt/h² = 1000, a stiff step), from u₀ = sin(πx)·sin(πy) plus uniform noise of amplitude
 *   ½. The matrix is the same every step; the right-hand side is the last solution.</li>
 *   <li>{@code heat-source}: the same with a source, (I + Δt·A)·u' = u + Δt·f, f a Gaussian
 *   (amplitude 100, variance 0.005) circling (0.5, 0.5) at radius 0.25, one turn per 400 steps,
 *   u₀ the steady state of the first source: the solution never settles, the harder family.</li>
 *   <li>{@code sweep}: a parameter sweep, A(c) = A_h + c·I (Poisson plus a shift, the family of
 *   "Learning to Relax") for c = 10⁻³·(1 + 2j/J), j = 0…J−1, one fixed random b, submitted all at
 *   once in shuffled order with context [c], as a data generator would: the runtime runs the
 *   family nearest-first (SKR ordering). {@code recycled_unsorted} submits the same shuffled jobs
 *   one at a time, so nothing can be reordered: the gain of the ordering.</li>
 *   <li>{@code heat-cn}: the sequence of {@code ./kiln bench relax}'s heat case (Crank–Nicolson,
 *   κ(t) = 1 + ½·sin(2πt/P), α_n = 50·κ(t_n)), whose matrix changes every step.</li>
 * </ul>
 * Sizes: 256² unknowns, 60 steps / 48 sweep jobs (quick: 128², 30 / 24). Every recycled result
 * must have converged with a true relative residual ≤ the tolerance (the bench fails otherwise).
 */
public final class RecycleBench implements Bench {
    static final double TOLERANCE = 1e-8;

    @Override
    public String name() { return "recycle"; }

    @Override
    public String description() {
        return "Krylov recycling within a family: cold CG vs warm start vs recycled (heat steps, parameter sweep)";
    }

    /** One variant: a runtime with its recycling settings, and what it measured. */
    private static final class Variant implements AutoCloseable {
        final String name;
        final KilnRuntime runtime;
        final List<Integer> iterations = new ArrayList<>();
        final List<Double> millis = new ArrayList<>();
        double cpuMs;
        double maxResidual;
        int notConverged;

        Variant(String name, Map<String, String> settings) {
            this.name = name;
            Map<String, String> s = new LinkedHashMap<>(settings);
            s.put(KilnConfig.WORKERS.name(), "1");
            s.put(KilnConfig.QUEUE_CAPACITY.name(), "1024");
            KilnConfig config = KilnConfig.of(s);
            List<Backend> backends = List.of(new CpuBackend());
            this.runtime = new KilnRuntime(config, BackendRegistry.of(backends, config.asMap()), new ShortestQueueRouter());
        }

        JobResult solveOne(Job job) throws Exception {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            if (!(runtime.submit(job) instanceof Submission.Accepted a)) throw new IllegalStateException(name + ": job refused");
            JobResult r = a.record().result().get(10, TimeUnit.MINUTES);
            record(r, (System.nanoTime() - t0) / 1e6);
            cpuMs += (processCpuNanos() - c0) / 1e6;
            return r;
        }

        void record(JobResult r, double ms) {
            if (r.status() != JobStatus.SUCCEEDED) notConverged++;
            iterations.add(r.iterations());
            millis.add(ms);
            maxResidual = Math.max(maxResidual, r.residualNorm());
        }

        long totalIterations() { return iterations.stream().mapToLong(Integer::longValue).sum(); }

        double totalMs() { return millis.stream().mapToDouble(Double::doubleValue).sum(); }

        @Override
        public void close() { runtime.close(); }
    }

    /**
     * CPU time of the whole process (every thread: lane worker, kernel pool, but also JIT and GC),
     * beside wall time: on a machine shared with other work, wall time of a solve swings by 2–3×
     * between runs while its CPU time does not.
     */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    /** Settings of the recycled variant: Kiln's defaults unless the bench is given --history, --vectors, --deflate-iterations. */
    private Map<String, String> recycledSettings = Map.of();

    private List<Variant> variants(boolean unsorted) {
        List<Variant> v = new ArrayList<>();
        v.add(new Variant("cold", Map.of(KilnConfig.RECYCLING_HISTORY.name(), "0")));
        v.add(new Variant("warm", Map.of(KilnConfig.RECYCLING_HISTORY.name(), "1", KilnConfig.RECYCLING_VECTORS.name(), "0")));
        v.add(new Variant("recycled", recycledSettings));
        Map<String, String> solutionsOnly = new LinkedHashMap<>(recycledSettings);
        solutionsOnly.put(KilnConfig.RECYCLING_VECTORS.name(), "0");
        v.add(new Variant("solutions_only", solutionsOnly));
        if (unsorted) v.add(new Variant("recycled_unsorted", recycledSettings));
        return v;
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        boolean quick = args.quick();
        int nx = args.getInt("grid", quick ? 128 : 256);
        int steps = args.getInt("steps", quick ? 30 : 60);
        int sweepJobs = args.getInt("sweep-jobs", quick ? 24 : 48);
        Map<String, String> rs = new LinkedHashMap<>();
        if (args.has("history")) rs.put(KilnConfig.RECYCLING_HISTORY.name(), args.get("history", ""));
        if (args.has("vectors")) rs.put(KilnConfig.RECYCLING_VECTORS.name(), args.get("vectors", ""));
        if (args.has("deflate-iterations")) rs.put(KilnConfig.RECYCLING_DEFLATE_ITERATIONS.name(), args.get("deflate-iterations", ""));
        recycledSettings = rs;
        report.environment("recycled_settings", rs.isEmpty() ? "defaults" : rs.toString());
        // --cases heat+sweep runs a subset (BenchArgs splits values on commas, so '+' separates here)
        List<String> only = List.of(args.get("cases", "heat+heat-source+sweep+heat-cn").split("\\+"));
        report.environment("kernels", dev.kiln.backend.cpu.kernel.CpuKernels.describe());
        report.environment("tolerance", TOLERANCE);
        warmUp(report, nx);
        SvgChart chart = new SvgChart("recycle: iterations per solve, cold CG vs warm start vs Kiln's recycling");
        if (only.contains("heat")) heat(report, chart, nx, steps, false);
        if (only.contains("heat-source")) heat(report, chart, nx, steps, true);
        if (only.contains("sweep")) sweep(report, chart, nx, sweepJobs);
        if (only.contains("heat-cn")) heatCrankNicolson(report, chart, nx, steps);
        java.nio.file.Path svg = report.dir().resolve("recycle.svg");
        chart.write(svg);
        report.progress("wrote " + svg);
    }

    /**
     * Solves on every path (cold and recycled, harvesting and not) at the bench's size, untimed,
     * so that no variant's measured solves pay for the JIT compiling the kernels.
     */
    private static void warmUp(BenchReport report, int nx) throws Exception {
        long t0 = System.nanoTime();
        try (Variant v = new Variant("warm-up", Map.of())) {
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < 24; i++) {
                CsrMatrix a = PoissonGenerator.poisson2d(nx, nx, 1e-2 * (1 + 0.01 * i));
                double[] b = new double[nx * nx];
                for (int j = 0; j < b.length; j++) b[j] = rnd.nextDouble(-1, 1);
                v.solveOne(job("w" + i, i % 3 == 0 ? null : "warm-up", new double[]{i}, a, b));
            }
        }
        report.progress("warm-up " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    static Job job(String id, String family, double[] context, CsrMatrix a, double[] b) {
        // pcg (Jacobi, as auto runs on these SPD systems): a family's auto jobs would have the method tuner explore other arms
        LinearOptions o = new LinearOptions(LinearMethod.PCG, "auto", Double.NaN, TOLERANCE, 20_000, Precision.FP64, true);
        return new Job(id, JobKind.LINEAR, family, context, LinearProblem.of(a, b, null),
                new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
    }

    // ---- heat: backward Euler with a moving source ------------------------------------------

    private void heat(BenchReport report, SvgChart chart, int nx, int steps, boolean withSource) throws Exception {
        int n = nx * nx;
        double h = 1.0 / (nx + 1), alpha = 1000;
        DoubleBinaryOperator k = (x, y) -> 1 + 0.5 * Math.sin(2 * Math.PI * x) * Math.sin(2 * Math.PI * y);
        CsrMatrix a = PoissonGenerator.poisson2d(nx, nx, 1 / alpha, k);
        String name = withSource ? "heat-source" : "heat";
        double[] u;
        if (withSource) {
            try (Variant v = new Variant("spin-up", Map.of(KilnConfig.RECYCLING_HISTORY.name(), "0"))) {
                CsrMatrix steady = PoissonGenerator.poisson2d(nx, nx, 0, k);
                u = v.solveOne(job("heat-u0", null, new double[0], steady, source(nx, 0, h))).solution();
            }
        } else {
            SplittableRandom rnd = new SplittableRandom(7);
            u = PoissonGenerator.sample2d(nx, nx, (x, y) -> Math.sin(Math.PI * x) * Math.sin(Math.PI * y));
            for (int i = 0; i < n; i++) u[i] += 0.5 * rnd.nextDouble(-1, 1);
        }
        List<Variant> vs = variants(false);
        try {
            for (int s = 0; s < steps; s++) {
                double[] f = withSource ? source(nx, s + 1, h) : null;
                double[] b = new double[n];
                for (int i = 0; i < n; i++) b[i] = u[i] / alpha + (f == null ? 0 : f[i]);
                double[] next = null;
                for (int t = 0; t < vs.size(); t++) {
                    Variant v = vs.get((s + t) % vs.size());    // take turns at going first
                    String family = v.name.equals("cold") ? null : name;
                    JobResult r = v.solveOne(job(v.name + "-" + name + "-" + s, family, new double[0], a, b));
                    if (v.name.equals("cold")) next = r.solution();
                }
                u = next;
                if ((s + 1) % 10 == 0) report.progress(name + " step " + (s + 1) + "/" + steps + ": " + last(vs));
            }
            record(report, chart, name, vs, nx, steps);
        } finally {
            for (Variant v : vs) v.close();
        }
    }

    /** h²·f at step s: a Gaussian source circling the centre, one turn per 400 steps. */
    private static double[] source(int nx, int step, double h) {
        double t = 2 * Math.PI * step / 400.0;
        double cx = 0.5 + 0.25 * Math.cos(t), cy = 0.5 + 0.25 * Math.sin(t);
        double[] f = PoissonGenerator.sample2d(nx, nx, (x, y) -> 100 * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 0.01));
        for (int i = 0; i < f.length; i++) f[i] *= h * h;
        return f;
    }

    // ---- sweep: Poisson + c·I, submitted at once, shuffled -------------------------------------

    private void sweep(BenchReport report, SvgChart chart, int nx, int jobs) throws Exception {
        int n = nx * nx;
        SplittableRandom rnd = new SplittableRandom(11);
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = rnd.nextDouble(-1, 1);
        double[] c = new double[jobs];
        for (int j = 0; j < jobs; j++) c[j] = 1e-3 * (1 + 2.0 * j / jobs);
        int[] order = new int[jobs];
        for (int j = 0; j < jobs; j++) order[j] = j;
        for (int j = jobs - 1; j > 0; j--) { int i = rnd.nextInt(j + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
        CsrMatrix[] a = new CsrMatrix[jobs];
        for (int j = 0; j < jobs; j++) a[j] = PoissonGenerator.poisson2d(nx, nx, c[j]);
        List<Variant> vs = variants(true);
        try {
            for (Variant v : vs) {
                String family = v.name.equals("cold") ? null : "sweep";
                if (v.name.equals("recycled_unsorted") || v.name.equals("cold")) {   // one at a time, in the shuffled order
                    for (int j : order) v.solveOne(job(v.name + "-sweep-" + j, family, new double[]{c[j]}, a[j], b));
                } else {
                    // all at once: the family's jobs wait together and the runtime orders them
                    long t0 = System.nanoTime();
                    long c0 = processCpuNanos();
                    List<java.util.concurrent.CompletableFuture<JobResult>> futures = new ArrayList<>();
                    for (int j : order) {
                        if (!(v.runtime.submit(job(v.name + "-sweep-" + j, family, new double[]{c[j]}, a[j], b)) instanceof Submission.Accepted acc)) {
                            throw new IllegalStateException(v.name + ": sweep job refused");
                        }
                        futures.add(acc.record().result());
                    }
                    List<JobResult> results = new ArrayList<>();
                    for (var f : futures) results.add(f.get(10, TimeUnit.MINUTES));
                    double total = (System.nanoTime() - t0) / 1e6;
                    v.cpuMs += (processCpuNanos() - c0) / 1e6;
                    // per-job times from the runtime (solveMs); the total is the burst's wall time
                    results.sort(java.util.Comparator.comparingLong(r -> r.timing().queuedMs()));
                    double solveSum = results.stream().mapToDouble(r -> r.timing().solveMs()).sum();
                    for (JobResult r : results) v.record(r, solveSum > 0 ? total * r.timing().solveMs() / solveSum : total / jobs);
                }
                report.progress("sweep " + v.name + ": " + v.totalIterations() + " iterations, " + Math.round(v.totalMs()) + " ms");
            }
            record(report, chart, "sweep", vs, nx, jobs);
        } finally {
            for (Variant v : vs) v.close();
        }
    }

    // ---- heat-cn: the relax bench's Crank–Nicolson sequence ------------------------------------

    private void heatCrankNicolson(BenchReport report, SvgChart chart, int nx, int steps) throws Exception {
        int n = nx * nx;
        CsrMatrix lap = PoissonGenerator.poisson2d(nx, nx);
        double[] u = new double[n];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            int ix = i % nx, iy = i / nx;
            u[i] = Math.sin(Math.PI * (ix + 1) / (nx + 1)) * Math.sin(Math.PI * (iy + 1) / (nx + 1)) + 0.1 * rnd.nextDouble(-1, 1);
        }
        double[] lu = new double[n];
        List<Variant> vs = variants(false);
        try {
            for (int s = 0; s < steps; s++) {
                double kappa = 1 + 0.5 * Math.sin(2 * Math.PI * s / (steps * 2.0 / 3));
                double alpha = 50 * kappa;
                CsrMatrix a = PoissonGenerator.poisson2d(nx, nx, 1 / alpha);
                lap.multiply(u, lu);
                double[] b = new double[n];
                for (int i = 0; i < n; i++) b[i] = u[i] / alpha - lu[i];
                double[] next = null;
                for (int t = 0; t < vs.size(); t++) {
                    Variant v = vs.get((s + t) % vs.size());    // take turns at going first
                    String family = v.name.equals("cold") ? null : "heat-cn";
                    JobResult r = v.solveOne(job(v.name + "-cn-" + s, family, new double[]{alpha}, a, b));
                    if (v.name.equals("cold")) next = r.solution();
                }
                u = next;
            }
            record(report, chart, "heat-cn", vs, nx, steps);
        } finally {
            for (Variant v : vs) v.close();
        }
    }

    // ---- report -----------------------------------------------------------------------------------

    private static String last(List<Variant> vs) {
        StringBuilder s = new StringBuilder();
        for (Variant v : vs) s.append(v.name).append(' ').append(v.iterations.get(v.iterations.size() - 1)).append(" it  ");
        return s.toString().trim();
    }

    private static void record(BenchReport report, SvgChart chart, String name, List<Variant> vs, int nx, int count) {
        Variant cold = vs.get(0), warm = vs.get(1), rec = vs.get(2);
        for (Variant v : vs) {
            if (v.notConverged > 0 || v.maxResidual > TOLERANCE) {
                throw new IllegalStateException(name + "/" + v.name + ": " + v.notConverged + " jobs did not converge, max residual " + v.maxResidual);
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cold_iters", cold.totalIterations());
        f.put("warm_iters", warm.totalIterations());
        f.put("recycled_iters", rec.totalIterations());
        f.put("solutions_only_iters", vs.get(3).totalIterations());
        if (vs.size() > 4) f.put("recycled_unsorted_iters", vs.get(4).totalIterations());
        f.put("cold_ms", cold.totalMs());
        f.put("warm_ms", warm.totalMs());
        f.put("recycled_ms", rec.totalMs());
        f.put("solutions_only_ms", vs.get(3).totalMs());
        if (vs.size() > 4) f.put("recycled_unsorted_ms", vs.get(4).totalMs());
        f.put("cold_cpu_ms", cold.cpuMs);
        f.put("warm_cpu_ms", warm.cpuMs);
        f.put("recycled_cpu_ms", rec.cpuMs);
        f.put("solutions_only_cpu_ms", vs.get(3).cpuMs);
        f.put("iters_ratio", (double) cold.totalIterations() / Math.max(1, rec.totalIterations()));
        f.put("time_ratio", cold.totalMs() / rec.totalMs());
        f.put("cpu_ratio", cold.cpuMs / rec.cpuMs);
        f.put("warm_iters_ratio", (double) cold.totalIterations() / Math.max(1, warm.totalIterations()));
        f.put("warm_time_ratio", cold.totalMs() / warm.totalMs());
        f.put("recycled_max_residual", rec.maxResidual);
        f.put("grid", nx);
        f.put("solves", count);
        report.record(name, f);
        SvgChart.Panel p = chart.panel(name + " (" + nx + "², cold/recycled: " + String.format(java.util.Locale.ROOT, "%.2f",
                (double) cold.totalIterations() / Math.max(1, rec.totalIterations())) + "× iterations)", "solve", "iterations");
        for (Variant v : vs) {
            double[] x = new double[v.iterations.size()], y = new double[x.length];
            for (int i = 0; i < x.length; i++) { x[i] = i + 1; y[i] = v.iterations.get(i); }
            p.line(v.name, x, y);
        }
    }
}
