package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.backend.cpu.kernel.PreparedSystemFp32;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.krylov.MixedPrecisionCg;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear jobs with {@code precision: mixed} or {@code fp32} on the CPU: {@link MixedPrecisionCg}
 * (CG or Jacobi-PCG with A and the vectors in fp32, sums in fp64, refined against the fp64
 * residual) on the SELL-C-σ fp32 kernels. {@code fp32} runs the same as {@code mixed}, as on the
 * OpenCL backend: the tolerance is always judged on the fp64 true residual, so asking for fp32
 * storage never returns a less accurate answer than asked for.
 *
 * <p>When refinement stalls above the tolerance (κ(A)·2⁻²⁴ is not small, or A has values outside
 * fp32's range), the solve continues in fp64 from the best x with the same preconditioner and the
 * rest of the iteration budget; the method then reads e.g. {@code pcg+jacobi(mixed)→pcg+jacobi}.
 * CG/PCG only, with preconditioner none or jacobi: the others have no fp32 kernels.
 * {@link CpuLinearSolver} delegates here. Stateless and thread-safe.
 */
final class CpuMixedPrecisionSolver {
    private CpuMixedPrecisionSolver() {}

    /** Whether a job with a non-fp64 precision can run here (the caller has checked it is linear). */
    static Support supports(LinearOptions o) {
        String precision = "options.precision: " + o.precision().wireName();
        if (o.method() != LinearMethod.AUTO && o.method() != LinearMethod.CG && o.method() != LinearMethod.PCG) {
            return Support.no(ErrorCode.UNSUPPORTED, precision + " runs CG/PCG only on the cpu backend; method "
                    + o.method().wireName() + " needs precision fp64");
        }
        String pre = o.preconditioner();
        if (!pre.equals("auto") && !pre.equals("none") && !pre.equals("jacobi")) {
            return Support.no(ErrorCode.UNSUPPORTED, precision + " takes preconditioner none or jacobi on the cpu "
                    + "backend; options.preconditioner " + pre + " needs precision fp64");
        }
        return Support.YES;
    }

    /**
     * True when this job runs in mixed precision: asked for, and CG applies (method cg/pcg, or
     * auto on a symmetric matrix with a positive diagonal). {@code auto} on other matrices runs the
     * fp64 path (GMRES), reported with {@code parameters.precision: fp64}.
     */
    static boolean applies(LinearOptions o, CsrMatrix a) {
        if (o.precision() == Precision.FP64) return false;
        if (o.method() != LinearMethod.AUTO) return true;
        return JacobiPreconditioner.isApplicable(a) && a.isSymmetric(1e-12);
    }

    static SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        CsrMatrix a = p.a();
        String choice = o.preconditioner().equals("auto") ? (o.method() == LinearMethod.CG ? "none" : "jacobi")
                : o.preconditioner();
        String name = choice.equals("none") ? "cg" : "pcg+jacobi";
        Preconditioner m;
        try {
            m = choice.equals("none") ? IdentityPreconditioner.INSTANCE : JacobiPreconditioner.of(a);
        } catch (InvalidProblemException e) {
            return new SolveOutcome(name + "(mixed)", Map.of(), 0, Double.NaN, false, null,
                    new JobError(ErrorCode.NOT_SPD, e.getMessage()), Double.NaN, Double.NaN);
        }
        float[] inv32 = null;
        if (m instanceof JacobiPreconditioner j) {
            double[] inv = j.inverseDiagonal();
            inv32 = new float[inv.length];
            for (int i = 0; i < inv.length; i++) inv32[i] = (float) inv[i];
        }
        PreparedSystem sys = CpuKernels.prepare(a);
        PreparedSystemFp32 sys32 = CpuKernels.prepareFp32(a);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("precision", "fp32");
        params.put("refinement", "fp64");
        params.put("format", sys32.operator().format());
        params.put("kernels", sys32.kernels().name());
        IterationMonitor monitor = (it, res) -> {
            progress.report(it, res);
            return !cancellation.shouldStop();
        };

        MixedPrecisionCg.Result mixed = MixedPrecisionCg.solve(sys.operator(), sys.kernels(), sys32.operator(),
                sys32.kernels(), p.b(), p.x0(), inv32, o.tolerance(), o.maxIterations(), monitor);
        SolveReport r = mixed.report();
        params.put("refinements", mixed.refinements());
        String method = name + "(mixed)";
        int budget = o.maxIterations() - r.iterations();
        if (r.termination() == Termination.STAGNATED && budget > 0) {
            // fp32 cannot resolve this system to the tolerance: finish in fp64 from the best x
            SolveReport f = ConjugateGradient.solve(sys.operator(), sys.kernels(), p.b(), r.x(), m, o.tolerance(),
                    budget, monitor, null);
            params.put("fallbackFrom", method);
            params.put("fallbackAfterIterations", r.iterations());
            method = method + "→" + name;
            r = new SolveReport(f.termination(), r.iterations() + f.iterations(), f.relativeResidual(),
                    f.recursiveResidual(), f.x());
        }
        return CpuLinearSolver.outcome(method, params, r, o, cancellation);
    }
}
