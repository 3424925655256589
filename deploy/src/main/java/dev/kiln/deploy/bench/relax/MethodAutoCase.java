package dev.kiln.deploy.bench.relax;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.deploy.bench.SvgChart;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.tuning.MethodArm;
import dev.kiln.runtime.tuning.MethodTuner;
import dev.kiln.runtime.tuning.TunerChain;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
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

/**
 * {@code case=method-auto} (and {@code method-auto-aniso}) of {@code ./kiln bench relax}: the
 * method tuner (issue 4) against every fixed arm and against the backends' own {@code auto} rule,
 * through the whole runtime on the CPU backend.
 *
 * <p>Policies, each a Kiln runtime of its own solving the same jobs: {@code learned} (jobs with a
 * family and {@code method: auto}: the method tuner chooses), {@code default} (the same jobs
 * without a family: the CPU backend's rule, PCG with Jacobi on these SPD systems), and one per
 * {@link MethodArm#SPD} arm (family set, method and preconditioner fixed; {@code pcg+ssor} with
 * {@code omega: "auto"}, so its ω is the ω tuner's, as when the method tuner picks it). Recycling
 * is off in every runtime ({@code kiln.recycling.history=0}) so that only the method differs; one
 * worker each; the runtimes take turns job by job, so machine noise falls on all alike. Times are
 * wall times from submission to result. Before measuring, every arm solves the first system once
 * (untimed) so no policy pays for the JIT compiling its preconditioner.
 *
 * <p>Families (unit square, 5-point finite volumes, {@link PoissonGenerator}): {@code method-auto}
 * is the Crank–Nicolson heat sequence of the relax bench's heat case, (L + I/α_n)·u' = u/α_n − L·u,
 * α_n = 50·κ(t_n), κ(t) = 1 + ½·sin(2πt/P); {@code method-auto-aniso} the same steps for the
 * anisotropic operator −u_xx − ε·u_yy, ε = 10⁻³ (diffusion along one axis, as in layered media or
 * stretched grids: the matrix is nearly a set of tridiagonal lines in the numbering's direction,
 * which IC(0) and SSOR nearly invert and Jacobi does not). u_n = sin(πx)·sin(πy)
 * (1 + ½·sin(2πt/P)) plus seeded uniform noise of amplitude 0.1, so b changes every step.
 */
final class MethodAutoCase {
    private static final double TOLERANCE = 1e-8;

    private MethodAutoCase() { }

    /** One policy: a runtime, how its jobs are written, and what it measured. */
    private static final class Policy implements AutoCloseable {
        final String name;
        final String family;
        final MethodArm arm;   // null: method auto
        final KilnRuntime runtime;
        final List<String> arms = new ArrayList<>();
        final List<Long> millis = new ArrayList<>();
        double totalMs, cpuMs;
        long iterations;
        int failed;

        Policy(String name, String family, MethodArm arm) {
            this.name = name;
            this.family = family;
            this.arm = arm;
            KilnConfig config = KilnConfig.of(Map.of(KilnConfig.WORKERS.name(), "1", KilnConfig.QUEUE_CAPACITY.name(), "64",
                    KilnConfig.RECYCLING_HISTORY.name(), "0"));
            runtime = new KilnRuntime(config, BackendRegistry.of(List.of(new CpuBackend()), config.asMap()), new ShortestQueueRouter());
        }

        void solve(String id, CsrMatrix a, double[] b) throws Exception {
            LinearOptions o = new LinearOptions(arm == null ? LinearMethod.AUTO : arm.method(), arm == null ? "auto" : arm.preconditioner(),
                    Double.NaN, TOLERANCE, 20_000, Precision.FP64, false);
            Job job = new Job(id, JobKind.LINEAR, family, new double[0], LinearProblem.of(a, b, null),
                    new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            if (!(runtime.submit(job) instanceof Submission.Accepted acc)) throw new IllegalStateException(name + ": job refused");
            JobResult r = acc.record().result().get(10, TimeUnit.MINUTES);
            double ms = (System.nanoTime() - t0) / 1e6;
            totalMs += ms;
            millis.add(Math.round(ms));
            cpuMs += (processCpuNanos() - c0) / 1e6;
            if (r.status() != JobStatus.SUCCEEDED) failed++;
            iterations += r.iterations();
            Object chosen = r.parameters().get("methodArm");
            arms.add(chosen != null ? chosen.toString() : r.method());
        }

        @Override
        public void close() { runtime.close(); }
    }

    /**
     * The 5-point matrix of −u_xx − ε·u_yy on an nx × nx interior grid (scaled by h², Dirichlet),
     * plus {@code shift}·I; unknowns numbered x fastest, so the strong coupling lies along rows.
     */
    static CsrMatrix anisotropic(int nx, double eps, double shift) {
        int n = nx * nx;
        int[] rowPtr = new int[n + 1];
        int[] col = new int[5 * n];
        double[] val = new double[5 * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int ix = i % nx, iy = i / nx;
            if (iy > 0) { col[k] = i - nx; val[k++] = -eps; }
            if (ix > 0) { col[k] = i - 1; val[k++] = -1; }
            col[k] = i; val[k++] = 2 + 2 * eps + shift;
            if (ix < nx - 1) { col[k] = i + 1; val[k++] = -1; }
            if (iy < nx - 1) { col[k] = i + nx; val[k++] = -eps; }
            rowPtr[i + 1] = k;
        }
        return CsrMatrix.of(n, n, rowPtr, java.util.Arrays.copyOf(col, k), java.util.Arrays.copyOf(val, k));
    }

    /** The family's matrix at shift σ: the heat case's Laplacian, or the anisotropic operator. */
    private static CsrMatrix matrix(int nx, double shift, double anisotropy) {
        return anisotropy > 0 ? anisotropic(nx, anisotropy, shift) : PoissonGenerator.poisson2d(nx, nx, shift);
    }

    /** {@code anisotropy} 0: Laplacian; otherwise ε of {@link #anisotropic}. */
    static void run(BenchReport report, SvgChart chart, String caseName, int nx, int steps, double anisotropy) throws Exception {
        CsrMatrix lap = matrix(nx, 0, anisotropy);
        int n = nx * nx;
        List<CsrMatrix> as = new ArrayList<>();
        List<double[]> bs = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        double period = steps * 2.0 / 3;
        double[] u = new double[n], lu = new double[n];
        for (int s = 0; s < steps; s++) {
            double kappa = 1 + 0.5 * Math.sin(2 * Math.PI * s / period);
            double alpha = 50 * kappa;
            for (int i = 0; i < n; i++) {
                int ix = i % nx, iy = i / nx;
                u[i] = Math.sin(Math.PI * (ix + 1) / (nx + 1)) * Math.sin(Math.PI * (iy + 1) / (nx + 1)) * kappa + 0.1 * rnd.nextDouble(-1, 1);
            }
            lap.multiply(u, lu);
            double[] b = new double[n];
            for (int i = 0; i < n; i++) b[i] = u[i] / alpha - lu[i];
            as.add(matrix(nx, 1 / alpha, anisotropy));
            bs.add(b);
        }
        List<Policy> policies = new ArrayList<>();
        try {
            policies.add(new Policy("learned", caseName, null));
            policies.add(new Policy("default", null, null));
            for (MethodArm a : MethodArm.SPD) policies.add(new Policy(key(a), caseName, a));
            CpuKernels.awaitWarmUp();
            try (Policy warm = new Policy("warm-up", null, null)) {
                for (MethodArm a : MethodArm.SPD) {
                    Policy p = new Policy("warm-" + key(a), null, a);
                    p.solve("warm-" + key(a), as.get(0), bs.get(0));
                    p.close();
                }
                warm.solve("warm-auto", as.get(0), bs.get(0));
            }
            for (int s = 0; s < steps; s++) {
                // take turns, and rotate who goes first, so load spikes fall on every policy alike
                for (int i = 0; i < policies.size(); i++) {
                    Policy p = policies.get((i + s) % policies.size());
                    p.solve(caseName + "-" + p.name + "-" + s, as.get(s), bs.get(s));
                }
                if ((s + 1) % 10 == 0) report.progress(caseName + ": step " + (s + 1) + "/" + steps);
            }
            Map<String, Object> f = new LinkedHashMap<>();
            Policy learned = policies.get(0), dflt = policies.get(1);
            Policy best = null;
            for (Policy p : policies.subList(2, policies.size())) if (best == null || p.totalMs < best.totalMs) best = p;
            f.put("learned_ms", learned.totalMs);
            f.put("default_ms", dflt.totalMs);
            for (Policy p : policies.subList(2, policies.size())) f.put(p.name + "_ms", p.totalMs);
            for (Policy p : policies) f.put(p.name + "_cpu_ms", p.cpuMs);
            for (Policy p : policies) f.put(p.name + "_iters", p.iterations);
            f.put("best_fixed_arm", best.arm.name());
            f.put("learned_over_best_fixed", learned.totalMs / best.totalMs);
            f.put("learned_over_default", learned.totalMs / dflt.totalMs);
            f.put("default_over_best_fixed", dflt.totalMs / best.totalMs);
            for (Policy p : policies.subList(2, policies.size())) f.put(p.name + "_over_best_fixed", p.totalMs / best.totalMs);
            MethodTuner tuner = ((TunerChain) learned.runtime.tuner()).find(MethodTuner.class).orElseThrow();
            f.put("learned_final_arm", tuner.leader(caseName).orElse("none"));
            long onBest = learned.arms.stream().filter(best.arm.name()::equals).count();
            f.put("learned_on_best_fixed_pct", 100.0 * onBest / steps);
            int failed = 0;
            for (Policy p : policies) failed += p.failed;
            f.put("failed_jobs", failed);
            f.put("grid", nx);
            f.put("steps", steps);
            SvgChart.Panel panel = chart.panel(caseName + ": cumulative wall time (ms)", "job", "ms");
            for (Policy p : policies) {
                double[] x = new double[steps], y = new double[steps];
                double sum = 0;
                for (int i = 0; i < steps; i++) {
                    x[i] = i + 1;
                    sum += p.millis.get(i);
                    y[i] = sum;
                }
                panel.line(p.name, x, y);
            }
            report.progress(caseName + ": learned arms " + learned.arms);
            for (Policy p : policies) report.progress(caseName + ": " + p.name + " ms per job " + p.millis);
            report.record(caseName, f);
        } finally {
            for (Policy p : policies) p.close();
        }
    }

    /**
     * CPU time of the whole process, beside wall time (as {@code bench recycle} reports it): the
     * policies run one job at a time, so the difference around a job is that job's CPU (plus
     * the JIT's and GC's), which other work on a shared machine disturbs far less than wall time.
     */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    /** A bench key for an arm: {@code pcg+ic0} → {@code pcg_ic0}. */
    private static String key(MethodArm a) { return a.name().replace('+', '_'); }
}
