package dev.kiln.deploy.bench.relax;

import dev.kiln.deploy.bench.Bench;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.deploy.bench.SvgChart;
import dev.kiln.runtime.tuning.OmegaGrid;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.SsorPreconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.stationary.RelaxationSolver;
import dev.kiln.solvers.stationary.SplitMatrix;
import dev.kiln.solvers.stationary.StationaryReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code ./kiln bench relax}: the experiment of "Learning to Relax" (Khodak, Chow, Balcan and
 * Talwalkar, ICLR 2024, §6) as issue 4 specifies it, then the larger SSOR-PCG heat case.
 *
 * <p>SOR cases: A = the 5-point Laplacian on a 10×10 interior grid (4 and −1) plus c·I with
 * c = −0.15 + 0.6·Beta(0.5, 1.5) ({@code sor-high}) or Beta(2, 6) ({@code sor-low}); b ~ N(0, I)
 * per instance; x0 = 0; relative residual 1e-8; ω grid linspace(1, 1.95, 20); T instances
 * (5000, quick 1000) and several seeds (3, quick 1; totals are summed over seeds). Every arm is
 * solved on every instance ({@link CostTable}) and the policies are replayed on that table:
 * ω = 1 (Gauss–Seidel, the peer a user gets without tuning), the best fixed ω in hindsight, the
 * instance-optimal ω, the paper's Tsallis-INF, Kiln's bandit and Kiln's contextual bandit
 * (context = c).
 *
 * <p>Heat case: u_t = κ(t)·Δu on the unit square, 256² interior nodes (quick: 128², 10 steps, to
 * stay under a minute), Crank–Nicolson; each step
 * solves (L + I/α_n)·u' = u/α_n − L·u with L the 5-point matrix, α_n = κ(t_n)·Δt/(2h²) = 50·κ(t_n),
 * κ(t) = 1 + ½·sin(2πt/P) (period P = ⅔ of the run), warm-started from u, SSOR-preconditioned CG
 * to 1e-8; plain CG is the peer. Context for the contextual policy: α_n.
 *
 * <p>Method cases ({@link MethodAutoCase}): the method tuner for {@code method: auto} jobs against
 * every fixed method × preconditioner and the backend's own rule. {@code --method-only} runs just
 * those, {@code --skip-method} skips them, {@code --method-grid}, {@code --method-steps} size them,
 * {@code --method-cases heat+aniso} picks them.
 */
public final class RelaxBench implements Bench {
    private static final OmegaGrid GRID = OmegaGrid.PAPER;
    private static final double TOLERANCE = 1e-8;

    @Override
    public String name() { return "relax"; }

    @Override
    public String description() {
        return "learned ω (bandit, contextual) vs ω=1, best fixed and instance-optimal ω: Learning-to-Relax SOR + SSOR-PCG heat";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        boolean quick = args.quick();
        int t = args.getInt("instances", quick ? 1000 : 5000);
        int seeds = args.getInt("seeds", quick ? 1 : 3);
        int cap = args.getInt("max-iterations", 10_000);
        SvgChart chart = new SvgChart("relax: ω chosen per instance and cumulative iterations (seed 1)");
        boolean openclOnly = args.has("opencl-only"), methodOnly = args.has("method-only");
        if (!openclOnly && !methodOnly) {
            sorCase(report, chart, "sor-high", 0.5, 1.5, t, seeds, cap);
            sorCase(report, chart, "sor-low", 2, 6, t, seeds, cap);
        }
        // quick: 128² and 10 steps (21 scalar-kernel PCG solves per step; 256² × 12 took 2 min 13 s of the 2 min 25 s --quick run)
        if (!args.has("skip-heat") && !openclOnly && !methodOnly) {
            heatCase(report, chart, args.getInt("grid", quick ? 128 : 256), args.getInt("steps", quick ? 10 : 60));
        }
        if (!args.has("skip-opencl") && !methodOnly) openclCase(report, args.getInt("opencl-grid", quick ? 48 : 192), quick ? 2 : 3);
        if (!args.has("skip-method") && !openclOnly) { // issue 4: the method tuner for method: auto, against every fixed arm
            // quick: 96² × 60 steps (a bandit over 5 arms needs jobs more than size; 128² × 30 took 37 s for both cases)
            int mGrid = args.getInt("method-grid", quick ? 96 : 256), mSteps = args.getInt("method-steps", quick ? 60 : 150);
            List<String> mCases = List.of(args.get("method-cases", "heat+aniso").split("\\+"));
            if (mCases.contains("heat")) MethodAutoCase.run(report, chart, "method-auto", mGrid, mSteps, 0);
            if (mCases.contains("aniso")) MethodAutoCase.run(report, chart, "method-auto-aniso", mGrid, mSteps, 1e-3);
        }
        java.nio.file.Path svg = report.dir().resolve("relax.svg");
        chart.write(svg);
        report.progress("wrote " + svg);
    }

    // ---- the OpenCL backend's multicolour SOR/SSOR beside the CPU's lexicographic sweeps (issue 5) ----

    /**
     * SOR at Young's optimal ω = 2/(1 + sin(πh)) for the 5-point Laplacian (Saad, "Iterative Methods
     * for Sparse Linear Systems", 2nd ed., §4.2.5, with ρ_Jacobi = cos(πh)), SOR at ω = 1
     * (Gauss–Seidel) and SSOR at ω = 1 (red-black SSOR(ω) equals red-black SOR(ω(2 − ω)), so 1 is its
     * best ω on the device; ARCHITECTURE.md, OpenCL section), on the nx² Poisson problem with a smooth
     * right-hand side: the CPU backend's RelaxationSolver (true residual after every sweep) against
     * the OpenCL backend (residual every 8 sweeps), best of {@code reps}.
     */
    private void openclCase(BenchReport report, int nx, int reps) throws Exception {
        CsrMatrix a = PoissonGenerator.poisson2d(nx, nx);
        double[] b = PoissonGenerator.smoothRhs2d(nx, nx);
        double omegaOpt = 2 / (1 + Math.sin(Math.PI / (nx + 1)));
        SplitMatrix split = SplitMatrix.of(a);
        String name = "relax-opencl-poisson2d-" + nx;
        int cap = 50 * nx * nx;
        Object[][] arms = {{"sor", omegaOpt}, {"sor", 1.0}, {"ssor", 1.0}};
        for (Object[] arm : arms) {
            String method = (String) arm[0];
            double omega = (Double) arm[1];
            RelaxationSolver.Sweep sweep = method.equals("sor") ? RelaxationSolver.Sweep.SOR : RelaxationSolver.Sweep.SSOR;
            double best = Double.MAX_VALUE;
            StationaryReport cpu = null;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                cpu = RelaxationSolver.solve(split, b, null, sweep, omega, TOLERANCE, cap, null);
                best = Math.min(best, (System.nanoTime() - t0) * 1e-6);
            }
            dev.kiln.deploy.bench.OpenClBenchRows.relax(name, a, b, method, omega, best, cpu.iterations(), TOLERANCE, cap, reps, report);
        }
    }

    // ---- SOR on the shifted Laplacian ----------------------------------------------------------

    private void sorCase(BenchReport report, SvgChart chart, String name, double a, double b, int t, int seeds, int cap) {
        String[] policies = {"omega1", "best_fixed", "instance_opt", "tsallis", "bandit", "contextual"};
        long[] totals = new long[policies.length];
        double bestOmegaSum = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            long start = System.nanoTime();
            CostTable table = sorTable(t, seed, a, b, cap);
            report.progress(name + " seed " + seed + ": cost table " + t + "x" + GRID.arms() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            int best = table.bestFixedArm();
            bestOmegaSum += GRID.omega(best);
            Replay[] r = {
                    replay(table, Policy.fixed(0)), replay(table, Policy.fixed(best)), null,
                    replay(table, Policy.tsallis(GRID.arms(), seed, cap)), replay(table, Policy.bandit(GRID.arms())),
                    replay(table, Policy.contextual(GRID.arms(), seed))};
            for (int i = 0; i < policies.length; i++) totals[i] += i == 2 ? table.instanceOptimal() : r[i].total();
            if (seed == 1) plot(chart, name, table, r[4], r[5], r[3], r[1], r[0]);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < policies.length; i++) {
            if (i == 3) continue;
            f.put(policies[i] + "_iters", totals[i]);
        }
        f.put("tsallis_iters", totals[3]);
        double bf = totals[1];
        f.put("best_fixed_omega", bestOmegaSum / seeds);
        f.put("omega1_ratio", totals[0] / bf);
        f.put("instance_opt_ratio", totals[2] / bf);
        f.put("tsallis_ratio", totals[3] / bf);
        f.put("bandit_ratio", totals[4] / bf);
        f.put("contextual_ratio", totals[5] / bf);
        f.put("instances", t);
        f.put("seeds", seeds);
        report.record(name, f);
    }

    private static CostTable sorTable(int t, long seed, double a, double b, int cap) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BetaSampler beta = new BetaSampler(a, b, rnd);
        double[] c = new double[t];
        double[][] rhs = new double[t][];
        for (int i = 0; i < t; i++) {
            c[i] = -0.15 + 0.6 * beta.next();
            rhs[i] = new double[100];
            for (int j = 0; j < 100; j++) rhs[i][j] = beta.gaussian();
        }
        int[][] iters = new int[t][GRID.arms()];
        IntStream.range(0, t).parallel().forEach(i -> {
            SplitMatrix s = SplitMatrix.of(PoissonGenerator.poisson2d(10, 10, c[i]));
            for (int k = 0; k < GRID.arms(); k++) {
                StationaryReport r = RelaxationSolver.solve(s, rhs[i], null, RelaxationSolver.Sweep.SOR, GRID.omega(k), TOLERANCE, cap, null);
                iters[i][k] = r.iterations();
            }
        });
        return new CostTable(iters, null, c);
    }

    // ---- SSOR-PCG on a Crank–Nicolson heat sequence --------------------------------------------

    private void heatCase(BenchReport report, SvgChart chart, int nx, int steps) {
        int n = nx * nx;
        CsrMatrix lap = PoissonGenerator.poisson2d(nx, nx);
        double[] u = new double[n];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            int ix = i % nx, iy = i / nx;
            u[i] = Math.sin(Math.PI * (ix + 1) / (nx + 1)) * Math.sin(Math.PI * (iy + 1) / (nx + 1)) + 0.1 * rnd.nextDouble(-1, 1);
        }
        int[][] iters = new int[steps][GRID.arms()];
        long[][] nanos = new long[steps][GRID.arms()];
        double[] ctx = new double[steps];
        long cgIters = 0, cgNanos = 0;
        double[] lu = new double[n];
        for (int step = 0; step < steps; step++) {
            double kappa = 1 + 0.5 * Math.sin(2 * Math.PI * step / (steps * 2.0 / 3));
            double alpha = 50 * kappa;
            ctx[step] = alpha;
            CsrMatrix a = PoissonGenerator.poisson2d(nx, nx, 1 / alpha);
            lap.multiply(u, lu);
            double[] rhs = new double[n];
            for (int i = 0; i < n; i++) rhs[i] = u[i] / alpha - lu[i];
            long s0 = System.nanoTime();
            SolveReport cg = ConjugateGradient.solve(a, rhs, u, IdentityPreconditioner.INSTANCE, TOLERANCE, 100_000, null);
            cgNanos += System.nanoTime() - s0;
            cgIters += cg.iterations();
            SplitMatrix split = SplitMatrix.of(a);
            double[] next = cg.x();
            for (int k = 0; k < GRID.arms(); k++) {
                long t0 = System.nanoTime();
                SolveReport r = ConjugateGradient.solve(a, rhs, u, SsorPreconditioner.of(split, GRID.omega(k)), TOLERANCE, 100_000, null);
                nanos[step][k] = System.nanoTime() - t0;
                iters[step][k] = r.iterations();
            }
            u = next;
            report.progress("heat step " + (step + 1) + "/" + steps + ": cg " + cg.iterations() + " iterations, ssor-pcg "
                    + java.util.Arrays.toString(iters[step]));
        }
        CostTable table = new CostTable(iters, nanos, ctx);
        int best = table.bestFixedArm();
        Replay omega1 = replay(table, Policy.fixed(0)), fixed = replay(table, Policy.fixed(best));
        Replay bandit = replay(table, Policy.bandit(GRID.arms())), ctxb = replay(table, Policy.contextual(GRID.arms(), 1));
        Replay ts = replay(table, Policy.tsallis(GRID.arms(), 1, 100_000));
        long opt = table.instanceOptimal();
        long optNanos = 0;
        for (int s = 0; s < steps; s++) {
            int bi = 0;
            for (int k = 1; k < GRID.arms(); k++) if (iters[s][k] < iters[s][bi]) bi = k;
            optNanos += nanos[s][bi];
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("omega1_iters", omega1.total());
        f.put("best_fixed_iters", fixed.total());
        f.put("instance_opt_iters", opt);
        f.put("tsallis_iters", ts.total());
        f.put("bandit_iters", bandit.total());
        f.put("contextual_iters", ctxb.total());
        f.put("cg_iters", cgIters);
        f.put("best_fixed_omega", GRID.omega(best));
        f.put("omega1_ms", omega1.nanos() / 1e6);
        f.put("best_fixed_ms", fixed.nanos() / 1e6);
        f.put("instance_opt_ms", optNanos / 1e6);
        f.put("bandit_ms", bandit.nanos() / 1e6);
        f.put("contextual_ms", ctxb.nanos() / 1e6);
        f.put("cg_ms", cgNanos / 1e6);
        f.put("bandit_ratio", (double) bandit.total() / fixed.total());
        f.put("contextual_ratio", (double) ctxb.total() / fixed.total());
        f.put("cg_over_bandit_time", (double) cgNanos / bandit.nanos());
        f.put("grid", nx);
        f.put("steps", steps);
        report.record("ssor-pcg-heat", f);
        plot(chart, "ssor-pcg-heat", table, bandit, ctxb, ts, fixed, omega1);
    }

    // ---- replay and plot ------------------------------------------------------------------------

    /** What a policy did on a table: the arm per instance and the running total. */
    record Replay(int[] arms, long[] cumulative, long nanos) {
        long total() { return cumulative[cumulative.length - 1]; }
    }

    private static Replay replay(CostTable table, Policy p) {
        int t = table.instances();
        int[] arms = new int[t];
        long[] cum = new long[t];
        long total = 0, ns = 0;
        for (int i = 0; i < t; i++) {
            int arm = p.choose(i, table.context()[i]);
            int it = table.iterations()[i][arm];
            p.learn(i, arm, table.context()[i], it);
            arms[i] = arm;
            total += it;
            cum[i] = total;
            if (table.nanos() != null) ns += table.nanos()[i][arm];
        }
        return new Replay(arms, cum, ns);
    }

    private static void plot(SvgChart chart, String name, CostTable table, Replay bandit, Replay contextual,
                             Replay tsallis, Replay fixed, Replay omega1) {
        int t = table.instances();
        double[] x = new double[t], wb = new double[t], wc = new double[t], wopt = new double[t];
        for (int i = 0; i < t; i++) {
            x[i] = i + 1;
            wb[i] = GRID.omega(bandit.arms()[i]);
            wc[i] = GRID.omega(contextual.arms()[i]) + 0.004; // nudged so coinciding dots stay visible
            int bi = 0;
            for (int k = 1; k < table.arms(); k++) if (table.iterations()[i][k] < table.iterations()[i][bi]) bi = k;
            wopt[i] = GRID.omega(bi) - 0.004;
        }
        chart.panel(name + ": ω per instance", "instance", "ω")
                .dots("bandit", x, wb).dots("contextual", x, wc).dots("instance-optimal", x, wopt);
        List<double[]> ys = new ArrayList<>();
        for (Replay r : new Replay[]{omega1, tsallis, bandit, fixed, contextual}) {
            double[] y = new double[t];
            for (int i = 0; i < t; i++) y[i] = r.cumulative()[i];
            ys.add(y);
        }
        double[] opt = new double[t];
        long s = 0;
        for (int i = 0; i < t; i++) {
            int m = Integer.MAX_VALUE;
            for (int v : table.iterations()[i]) m = Math.min(m, v);
            s += m;
            opt[i] = s;
        }
        chart.panel(name + ": cumulative iterations", "instance", "iterations")
                .line("ω = 1", x, ys.get(0)).line("Tsallis-INF (paper)", x, ys.get(1)).line("bandit (Kiln)", x, ys.get(2))
                .line("best fixed ω", x, ys.get(3)).line("contextual (Kiln)", x, ys.get(4)).line("instance-optimal", x, opt);
    }
}
