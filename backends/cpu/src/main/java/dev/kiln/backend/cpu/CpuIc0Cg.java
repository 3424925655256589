package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.Ic0Cache;
import dev.kiln.backend.cpu.kernel.Ic0OrderingRule;
import dev.kiln.backend.cpu.kernel.LevelScheduledIc0;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.backend.cpu.kernel.WorkerPool;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.LinearOptions;

/**
 * PCG with IC(0) on the CPU: the whole solve runs on the renumbered system P·A·Pᵀ·(P·x) = P·b
 * that {@link LevelScheduledIc0} factorised (cached per matrix with its schedule and its own
 * SELL/CSR conversion), so the triangular solves read and write their vectors in order; b and x0
 * are permuted in, x out. Residual norms are the same in either numbering, so the report reads
 * as if A had been solved directly.
 *
 * <p>On a matrix not yet seen the ordering is decided by the solve itself
 * ({@link #solveDeciding}): PCG starts on the factor in A's own order, and only when
 * {@link Ic0OrderingRule} prefers the level order and the run shows it will be long is the factor
 * renumbered.
 */
public final class CpuIc0Cg {
    private CpuIc0Cg() {}

    /**
     * A solve that decided A's ordering: the factor it ran on at the end, whether the natural
     * run was stopped and the factor renumbered by level, and the report of the run in that factor.
     */
    public record Decided(LevelScheduledIc0 factor, boolean renumbered, SolveReport report) {
        /** Whether {@link #factor} is the one to keep for later solves on A (false when the run ended too soon to tell). */
        public boolean settled() {
            return renumbered || report.termination() == Termination.CONVERGED;
        }
    }

    /** PCG with IC(0) on p's matrix: its cached factor, or one decided by this solve and cached after it. */
    static SolveReport solve(LinearProblem p, LinearOptions o, IterationMonitor monitor) {
        CsrMatrix a = p.a();
        int parts = CpuKernels.ic0Parts(a);
        LevelScheduledIc0 f = Ic0Cache.shared().cached(a, parts);
        if (f != null) return solve(f, p.b(), p.x0(), o.tolerance(), o.maxIterations(), monitor);
        Decided d = solveDeciding(Ic0Cache.natural(a, parts), a, p.b(), p.x0(), o.tolerance(), o.maxIterations(), monitor);
        if (d.settled()) Ic0Cache.shared().put(a, parts, d.factor());
        return d.report();
    }

    /**
     * PCG on A·x = b that decides A's ordering as it goes (uncached; also what
     * {@code ./kiln bench cg} times). Matrices under the size bound
     * ({@link Ic0Cache#probes}) run on {@code natural} and are done, and so are those whose
     * pattern {@link Ic0OrderingRule} keeps in A's order (deterministic: no timing). Where it
     * prefers the level order the run itself tells whether renumbering pays: when the first
     * iteration cuts the residual by less than {@link Ic0Cache#NEARLY_EXACT}, or the run has not
     * converged after {@link Ic0Cache#PROBE_ITERATIONS} iterations, it is stopped, the factor
     * renumbered ({@link Ic0Cache#renumbered}) and PCG run from x0 in the level order — so the
     * answer is that factor's {@link #solve} bit for bit, and its report is the one returned (the
     * stopped run's iterations are not counted). Otherwise the natural run goes on to the end: a
     * nearly exact factor pays neither the renumbering nor a separate test, whose product and
     * apply are what the first iteration computes.
     * The first iteration's cut is ‖r₁‖/‖r₀‖ of PCG, not the Richardson contraction
     * {@link Ic0Cache#contraction} of a random vector the nearly-exact test measured; measured
     * on the matrices at hand: docs/ARCHITECTURE.md, issue 3, "Small solves, third pass".
     *
     * @param natural A's factor in its own order ({@link Ic0Cache#natural})
     */
    public static Decided solveDeciding(LevelScheduledIc0 natural, CsrMatrix a, double[] b, double[] x0, double tolerance,
                                        int maxIterations, IterationMonitor monitor) {
        if (natural.ordering() != LevelScheduledIc0.Ordering.NATURAL) {
            throw new IllegalArgumentException("needs the factor in A's own order, was " + natural.ordering());
        }
        if (natural.rows() != a.rows()) throw new IllegalArgumentException("factor of " + natural.rows() + " rows, matrix of " + a.rows());
        if (!Ic0Cache.probes(a) || !Ic0OrderingRule.prefersLevels(natural)) {
            return new Decided(natural, false, solve(natural, b, x0, tolerance, maxIterations, monitor));
        }
        double initial = 1;                                  // ‖r₀‖/‖b‖: 1 from x0 = 0
        if (x0 != null) {
            double[] r0 = new double[a.rows()];
            PreparedSystem sys = CpuKernels.prepare(natural, -1);
            sys.operator().residual(x0, b, r0);
            initial = sys.kernels().norm2(r0.length, r0) / sys.kernels().norm2(b.length, b);
        }
        RenumberWhenSlow watch = new RenumberWhenSlow(monitor == null ? IterationMonitor.NONE : monitor, initial, tolerance);
        SolveReport r = solve(natural, b, x0, tolerance, maxIterations, watch);
        if (!watch.slow) return new Decided(natural, false, r);
        LevelScheduledIc0 f = Ic0Cache.renumbered(natural, a);    // the rule said levels above
        return new Decided(f, true, solve(f, b, x0, tolerance, maxIterations, monitor));
    }

    /**
     * Stops the natural-order run as soon as it shows it will run long (see
     * {@link #solveDeciding}); otherwise passes every iteration on to the caller's monitor.
     */
    private static final class RenumberWhenSlow implements IterationMonitor {
        private final IterationMonitor next;
        private final double initial, tolerance;
        boolean slow;

        RenumberWhenSlow(IterationMonitor next, double initial, double tolerance) {
            this.next = next;
            this.initial = initial;
            this.tolerance = tolerance;
        }

        @Override
        public boolean proceed(int iteration, double relativeResidual) {
            if (relativeResidual > tolerance
                    && (iteration == 1 && relativeResidual > Ic0Cache.NEARLY_EXACT * initial
                        || iteration >= Ic0Cache.PROBE_ITERATIONS)) {
                slow = true;
                return false;
            }
            return next.proceed(iteration, relativeResidual);
        }
    }

    /** PCG on A·x = b with IC(0) factor {@code f} of A (x0 may be null), f's ordering as it is. */
    public static SolveReport solve(LevelScheduledIc0 f, double[] bNatural, double[] x0Natural, double tolerance, int maxIterations,
                                    IterationMonitor monitor) {
        int n = f.rows();
        PreparedSystem sys = CpuKernels.prepare(f, -1);
        if (f.ordering() == LevelScheduledIc0.Ordering.NATURAL) {     // nothing to renumber: no copies in and out
            return ConjugateGradient.solve(sys.operator(), sys.kernels(), bNatural, x0Natural, f.newSolve(WorkerPool.shared()),
                    tolerance, maxIterations, monitor, CgWorkspaceOfThread.forRows(n));
        }
        double[] b = new double[n];
        f.toNewOrder(bNatural, b);
        double[] x0 = null;
        if (x0Natural != null) {
            x0 = new double[n];
            f.toNewOrder(x0Natural, x0);
        }
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, x0, f.newSolve(WorkerPool.shared()),
                tolerance, maxIterations, monitor, CgWorkspaceOfThread.forRows(n));
        double[] x = new double[n];
        f.toNaturalOrder(r.x(), x);
        return new SolveReport(r.termination(), r.iterations(), r.relativeResidual(), r.recursiveResidual(), x);
    }
}
