package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.krylov.BiCgStab;
import dev.kiln.solvers.krylov.ChebyshevPreconditioner;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.Gmres;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;
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
import dev.kiln.spi.RecycleExchange;
import dev.kiln.spi.RecyclingChannel;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear jobs on the CPU: the Krylov algorithms of {@code dev.kiln.solvers.krylov} (CG/PCG,
 * BiCGSTAB, GMRES(m)) on the kernels {@link CpuKernels} picks — Vector API SELL-C-σ or CSR
 * products threaded over the cores, or the scalar reference when the module is absent.
 *
 * <p>{@code method: auto} runs PCG (Jacobi) when A is symmetric with a positive diagonal (the
 * cheap necessary conditions for SPD) and GMRES(30) otherwise; when PCG meets non-positive
 * curvature it falls back to GMRES from scratch and the method reads {@code pcg+jacobi→gmres(30)}.
 *
 * <p>Threads: runs on a runtime worker thread; each solve prepares its own kernels (the SELL
 * conversion is shared through a cache), so concurrent jobs are safe.
 */
final class CpuLinearSolver {
    /** Chebyshev polynomial degree used for {@code preconditioner: chebyshev}. */
    static final int CHEBYSHEV_DEGREE = ChebyshevPreconditioner.DEFAULT_DEGREE;

    Support supports(Job job) {
        if (!(job.problem() instanceof LinearProblem p)) {
            return Support.no(ErrorCode.INVALID_PROBLEM, "a linear job must carry a linear problem");
        }
        LinearOptions o = job.options().linear();
        if (o.precision() != Precision.FP64) return CpuMixedPrecisionSolver.supports(o);
        return switch (o.method()) {
            case AUTO, CG, PCG, BICGSTAB, GMRES -> preconditionerSupport(o, p);
            case SOR, SSOR -> o.stationarySupport();
        };
    }

    private static Support preconditionerSupport(LinearOptions o, LinearProblem p) {
        boolean krylovNonSymmetric = o.method() == LinearMethod.BICGSTAB || o.method() == LinearMethod.GMRES;
        String pre = o.preconditioner();
        if (krylovNonSymmetric && (pre.equals("ic0") || pre.equals("chebyshev") || pre.equals("ssor"))) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.preconditioner: " + pre + " is for symmetric positive definite "
                    + "systems (cg/pcg); " + o.method().wireName() + " takes none or jacobi");
        }
        return Support.YES;
    }

    Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        // CG ends in at most n steps in exact arithmetic (Saad §6.7); the budget caps it.
        double iters = Math.min(job.options().linear().maxIterations(), p.size());
        return new Features(p.size(), p.a().nnz(), iters, 0L, job.options().linear().precision());
    }

    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        if (o.method() == LinearMethod.SOR || o.method() == LinearMethod.SSOR) return CpuStationarySolver.solve(job, progress, cancellation);
        if (CpuMixedPrecisionSolver.applies(o, p.a())) return CpuMixedPrecisionSolver.solve(job, progress, cancellation);
        CsrMatrix a = p.a();
        PreparedSystem sys = CpuKernels.prepare(a);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("format", sys.operator().format());
        params.put("kernels", sys.kernels().name());
        if (o.precision() != Precision.FP64) params.put("precision", "fp64");   // mixed runs CG only (see CpuMixedPrecisionSolver)
        if (o.preconditioner().equals("ssor")) params.put("omega", CpuStationarySolver.omega(o));
        IterationMonitor monitor = (it, res) -> {
            progress.report(it, res);
            return !cancellation.shouldStop();
        };

        boolean positiveDiagonal = JacobiPreconditioner.isApplicable(a);
        LinearMethod method = o.method();
        if (method == LinearMethod.AUTO) {
            method = positiveDiagonal && a.isSymmetric(1e-12) ? LinearMethod.PCG : LinearMethod.GMRES;
        }
        Attempt first;
        try {
            first = run(method, o, a, p, sys, positiveDiagonal, monitor, RecyclingChannel.lookup(job)); // issue 4: recycling hook
        } catch (InvalidProblemException e) {
            // a preconditioner refused the matrix (non-positive diagonal, IC(0) breakdown): not SPD
            return failed(method.wireName() + "+" + o.preconditioner(), params, ErrorCode.NOT_SPD, e.getMessage());
        }
        Attempt used = first;
        String name = first.name;
        if (o.method() == LinearMethod.AUTO && first.report.termination() == Termination.NOT_SPD) {
            Attempt fallback = run(LinearMethod.GMRES, o, a, p, sys, positiveDiagonal, monitor, null);
            name = first.name + "→" + fallback.name;
            params.put("fallbackFrom", first.name);
            params.put("fallbackAfterIterations", first.report.iterations());
            used = fallback;
        }
        return outcome(name, params, used.report, o, cancellation);
    }

    private record Attempt(String name, SolveReport report) {}

    private Attempt run(LinearMethod method, LinearOptions o, CsrMatrix a, LinearProblem p, PreparedSystem sys,
                        boolean positiveDiagonal, IterationMonitor monitor, RecycleExchange recycle) {
        SparseOperator op = sys.operator();
        KrylovKernels k = sys.kernels();
        String pre = o.preconditioner();
        return switch (method) {
            case CG, PCG -> {
                // auto: plain CG when asked for cg, Jacobi for pcg (Jacobi needs a positive diagonal)
                String choice = pre.equals("auto") ? (method == LinearMethod.CG ? "none" : "jacobi") : pre;
                if (choice.equals("ic0") && recycle == null) {
                    // the whole solve in the factor's numbering, so the triangular solves stream
                    yield new Attempt("pcg+ic0", CpuIc0Cg.solve(p, o, monitor));
                }
                if (choice.equals("ssor") && recycle == null) {
                    // Eisenstat's form on all but the largest systems: the same iterates, A read once an iteration
                    yield new Attempt("pcg+ssor", CpuSsorCg.solve(sys, p.b(), p.x0(), CpuStationarySolver.ssor(a, o),
                            o.tolerance(), o.maxIterations(), monitor));
                }
                Preconditioner m = choice.equals("ssor") ? CpuStationarySolver.ssor(a, o) : preconditioner(choice, a, sys);
                String name = m instanceof IdentityPreconditioner ? "cg" : "pcg+" + m.name();
                yield new Attempt(name, recycle != null ? CpuRecycledCg.solve(recycle, op, k, p, m, o, monitor)
                        : ConjugateGradient.solve(op, k, p.b(), p.x0(), m, o.tolerance(), o.maxIterations(), monitor, null));
            }
            case GMRES, BICGSTAB -> {
                String choice = pre.equals("auto") ? (positiveDiagonal ? "jacobi" : "none") : pre;
                Preconditioner m = preconditioner(choice, a, sys);
                String suffix = m instanceof IdentityPreconditioner ? "" : "+" + m.name();
                if (method == LinearMethod.GMRES) {
                    yield new Attempt("gmres(" + Gmres.DEFAULT_RESTART + ")" + suffix, Gmres.solve(op, k, p.b(), p.x0(), m,
                            Gmres.DEFAULT_RESTART, o.tolerance(), o.maxIterations(), monitor));
                }
                yield new Attempt("bicgstab" + suffix, BiCgStab.solve(op, k, p.b(), p.x0(), m, o.tolerance(),
                        o.maxIterations(), monitor));
            }
            case AUTO, SOR, SSOR -> throw new IllegalStateException("method " + method + " is resolved before run()");
        };
    }

    /** Builds the named preconditioner; refusals surface as {@link InvalidProblemException}. */
    private static Preconditioner preconditioner(String name, CsrMatrix a, PreparedSystem sys) {
        return switch (name) {
            case "none" -> IdentityPreconditioner.INSTANCE;
            case "jacobi" -> JacobiPreconditioner.of(a);
            case "ic0" -> CpuKernels.ic0(a);
            case "chebyshev" -> ChebyshevPreconditioner.of(sys.operator(), sys.kernels(),
                    JacobiPreconditioner.of(a).inverseDiagonal(), CHEBYSHEV_DEGREE);
            default -> throw new IllegalArgumentException("options.preconditioner: unknown '" + name + "'");
        };
    }

    static SolveOutcome outcome(String method, Map<String, Object> params, SolveReport r, LinearOptions o,
                                        Cancellation cancellation) {
        JobError error = switch (r.termination()) {
            case CONVERGED, MAX_ITERATIONS -> null;
            case NOT_SPD -> new JobError(ErrorCode.NOT_SPD, "CG met non-positive curvature at iteration " + r.iterations()
                    + ": the matrix (or preconditioner) is not symmetric positive definite; try method bicgstab or gmres");
            case DIVERGED -> new JobError(ErrorCode.DIVERGED, "diverged at iteration " + r.iterations()
                    + ": a non-finite value or a residual over 1e5 times the initial one (true relative residual "
                    + r.relativeResidual() + ")");
            case STAGNATED -> new JobError(ErrorCode.NOT_CONVERGED, "stagnated at iteration " + r.iterations()
                    + ": the true relative residual " + r.relativeResidual() + " stopped decreasing above the tolerance "
                    + o.tolerance() + " (the system may be singular and inconsistent, or the tolerance below what fp64 allows)");
            case BREAKDOWN -> new JobError(ErrorCode.NOT_CONVERGED, method + " broke down at iteration " + r.iterations()
                    + " (a zero inner product; true relative residual " + r.relativeResidual() + "); try another method");
            case STOPPED -> cancellation.cancelled()
                    ? new JobError(ErrorCode.CANCELLED, "cancelled at iteration " + r.iterations())
                    : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed at iteration " + r.iterations());
        };
        boolean converged = r.relativeResidual() <= o.tolerance();
        return new SolveOutcome(method, params, r.iterations(), r.relativeResidual(), converged && error == null,
                r.x(), error, Double.NaN, Double.NaN);
    }

    private static SolveOutcome failed(String method, Map<String, Object> params, ErrorCode code, String message) {
        return new SolveOutcome(method, params, 0, Double.NaN, false, null, new JobError(code, message), Double.NaN, Double.NaN);
    }
}
