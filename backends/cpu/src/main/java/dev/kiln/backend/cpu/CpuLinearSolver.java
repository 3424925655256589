package dev.kiln.backend.cpu;

import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.Map;

/**
 * Linear jobs on the CPU: CG and Jacobi-PCG in fp64 on the scalar reference kernels. The
 * Vector API kernels, SELL-C-σ, the rest of the Krylov suite and fp32/mixed precision arrive
 * with issue 3 behind this class.
 *
 * <p>Threads: runs on a runtime worker thread; stateless, so concurrent jobs are safe.
 */
final class CpuLinearSolver {

    Support supports(Job job) {
        if (!(job.problem() instanceof LinearProblem p)) {
            return Support.no(ErrorCode.INVALID_PROBLEM, "a linear job must carry a linear problem");
        }
        LinearOptions o = job.options().linear();
        if (o.precision() != Precision.FP64) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.precision: " + o.precision().wireName()
                    + " is not implemented on the cpu backend yet (fp64 only; fp32 and mixed arrive with issue 3)");
        }
        switch (o.method()) {
            case CG, PCG -> { return Support.YES; }
            case AUTO -> {
                if (!p.a().isSymmetric(1e-12)) {
                    return Support.no(ErrorCode.UNSUPPORTED, "method auto: the matrix is not symmetric and this build has only "
                            + "CG/PCG (BiCGSTAB and GMRES arrive with issue 3)");
                }
                return Support.YES;
            }
            default -> {
                return Support.no(ErrorCode.UNSUPPORTED, "options.method: " + o.method().wireName()
                        + " is not implemented on the cpu backend yet (cg, pcg and auto are; the rest arrive with issue 3)");
            }
        }
    }

    Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        // CG ends in at most n steps in exact arithmetic (Saad §6.7); the budget caps it.
        double iters = Math.min(job.options().linear().maxIterations(), p.size());
        return new Features(p.size(), p.a().nnz(), iters, 0L, Precision.FP64);
    }

    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        CsrMatrix a = p.a();
        boolean positiveDiagonal = JacobiPreconditioner.isApplicable(a);

        boolean jacobi = switch (o.preconditioner()) {
            case "jacobi" -> true;
            case "none" -> false;
            default -> o.method() != LinearMethod.CG && positiveDiagonal; // auto: Jacobi whenever it is SPD
        };
        if (jacobi && !positiveDiagonal) {
            return failed("pcg+jacobi", ErrorCode.NOT_SPD,
                    "the Jacobi preconditioner needs a positive diagonal; the matrix has a diagonal entry ≤ 0, so it is not SPD");
        }
        Preconditioner m = jacobi ? JacobiPreconditioner.of(a) : IdentityPreconditioner.INSTANCE;
        String method = jacobi ? "pcg+jacobi" : "cg";
        SolveReport r = ConjugateGradient.solve(a, p.b(), p.x0(), m, o.tolerance(), o.maxIterations(),
                (it, res) -> {
                    progress.report(it, res);
                    return !cancellation.shouldStop();
                });
        JobError error = switch (r.termination()) {
            case CONVERGED, MAX_ITERATIONS -> null;
            case NOT_SPD -> new JobError(ErrorCode.NOT_SPD, "CG met non-positive curvature at iteration " + r.iterations()
                    + ": the matrix (or preconditioner) is not symmetric positive definite; try method bicgstab or gmres");
            case DIVERGED -> new JobError(ErrorCode.DIVERGED, "the iteration produced a non-finite value at iteration " + r.iterations());
            case STAGNATED -> new JobError(ErrorCode.NOT_CONVERGED, "stagnated at iteration " + r.iterations()
                    + ": the true relative residual " + r.relativeResidual() + " stopped decreasing above the tolerance "
                    + o.tolerance() + " (below what this matrix allows in fp64)");
            case STOPPED -> cancellation.cancelled()
                    ? new JobError(ErrorCode.CANCELLED, "cancelled at iteration " + r.iterations())
                    : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed at iteration " + r.iterations());
        };
        boolean converged = r.relativeResidual() <= o.tolerance();
        return new SolveOutcome(method, Map.of(), r.iterations(), r.relativeResidual(), converged && error == null,
                r.x(), error, Double.NaN, Double.NaN);
    }

    private static SolveOutcome failed(String method, ErrorCode code, String message) {
        return new SolveOutcome(method, Map.of(), 0, Double.NaN, false, null, new JobError(code, message), Double.NaN, Double.NaN);
    }
}
