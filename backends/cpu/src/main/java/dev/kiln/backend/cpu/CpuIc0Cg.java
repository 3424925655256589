package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.LevelScheduledIc0;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.backend.cpu.kernel.WorkerPool;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.LinearOptions;

/**
 * PCG with IC(0) on the CPU: the whole solve runs on the renumbered system P·A·Pᵀ·(P·x) = P·b
 * that {@link LevelScheduledIc0} factorised (cached per matrix with its schedule and its own
 * SELL/CSR conversion), so the triangular solves read and write their vectors in order; b and x0
 * are permuted in, x out. Residual norms are the same in either numbering, so the report reads
 * as if A had been solved directly.
 */
public final class CpuIc0Cg {
    private CpuIc0Cg() {}

    /** The factor and schedule CPU solves use for A (cached). */
    static LevelScheduledIc0 factor(LinearProblem p) {
        return CpuKernels.ic0Factor(p.a());
    }

    static SolveReport solve(LevelScheduledIc0 f, LinearProblem p, LinearOptions o, IterationMonitor monitor) {
        return solve(f, p.b(), p.x0(), o.tolerance(), o.maxIterations(), monitor);
    }

    /** PCG on A·x = b with IC(0) factor {@code f} of A (x0 may be null); also what {@code ./kiln bench cg} times. */
    public static SolveReport solve(LevelScheduledIc0 f, double[] bNatural, double[] x0Natural, double tolerance, int maxIterations,
                                    IterationMonitor monitor) {
        int n = f.rows();
        PreparedSystem sys = CpuKernels.prepare(f, -1);
        double[] b = new double[n];
        f.toNewOrder(bNatural, b);
        double[] x0 = null;
        if (x0Natural != null) {
            x0 = new double[n];
            f.toNewOrder(x0Natural, x0);
        }
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, x0, f.newSolve(WorkerPool.shared()),
                tolerance, maxIterations, monitor, null);
        double[] x = new double[n];
        f.toNaturalOrder(r.x(), x);
        return new SolveReport(r.termination(), r.iterations(), r.relativeResidual(), r.recursiveResidual(), x);
    }
}
