package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.VectorBlockKernels;
import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.krylov.DeflatedConjugateGradient;
import dev.kiln.solvers.krylov.BlockKernels;
import dev.kiln.solvers.krylov.DeflatedSolveReport;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.krylov.ScalarBlockKernels;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.RecycleExchange;

/**
 * The CPU backend's side of Krylov recycling (issue 4): when the runtime opened a
 * {@link RecycleExchange} for the job, CG/PCG runs as {@link DeflatedConjugateGradient} on the
 * backend's kernels (and its SIMD {@link VectorBlockKernels}), starting from the Galerkin point of the warm start (the problem's x0), the
 * family's other kept solutions and its recycled subspace, and the refreshed subspace goes back
 * through the exchange. The result is a {@link SolveReport} like plain CG's, with the same honest
 * ending (the true residual of x), so the rest of {@link CpuLinearSolver} is unchanged.
 */
final class CpuRecycledCg {
    private CpuRecycledCg() {}

    static SolveReport solve(RecycleExchange exchange, SparseOperator op, KrylovKernels k, LinearProblem p, Preconditioner m,
                             LinearOptions o, IterationMonitor monitor) {
        BlockKernels bk = CpuKernels.vectorized() ? VectorBlockKernels.INSTANCE : ScalarBlockKernels.INSTANCE;
        DeflatedSolveReport r = DeflatedConjugateGradient.solve(op, k, bk, p.b(), p.x0(), m, exchange.offered(),
                exchange.extraStart(), exchange.settings(), o.tolerance(), o.maxIterations(), monitor);
        exchange.report(r.deflatedVectors(), r.harvested(), r.deflationAbandoned());
        return r.report();
    }
}
