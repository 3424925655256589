package dev.kiln.backend.cpu;

import dev.kiln.solvers.krylov.SsorPreconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.stationary.RelaxationSolver;
import dev.kiln.solvers.stationary.StationaryReport;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SOR and SSOR jobs on the CPU ({@link RelaxationSolver}), and the SSOR preconditioner for
 * {@code pcg} with {@code preconditioner: ssor}. {@link CpuLinearSolver} delegates here.
 *
 * <p>ω: the job's {@code omega}; when it is still {@code "auto"} here (the runtime's tuner fills
 * it for jobs with a {@code family}), {@link LinearOptions#DEFAULT_OMEGA}. Stateless and thread-safe.
 */
final class CpuStationarySolver {
    private CpuStationarySolver() {}

    static double omega(LinearOptions o) {
        return o.omegaOrDefault();
    }

    /** The SSOR preconditioner with the job's ω; throws {@link InvalidProblemException} for a non-positive diagonal. */
    static SsorPreconditioner ssor(CsrMatrix a, LinearOptions o) {
        return SsorPreconditioner.of(a, omega(o));
    }

    static SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        double omega = omega(o);
        RelaxationSolver.Sweep sweep = o.method() == LinearMethod.SSOR ? RelaxationSolver.Sweep.SSOR : RelaxationSolver.Sweep.SOR;
        String method = o.method().wireName();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("omega", omega);
        StationaryReport r;
        try {
            r = RelaxationSolver.solve(p.a(), p.b(), p.x0(), sweep, omega, o.tolerance(), o.maxIterations(), (it, res) -> {
                progress.report(it, res);
                return !cancellation.shouldStop();
            });
        } catch (InvalidProblemException e) {
            return new SolveOutcome(method, params, 0, Double.NaN, false, null,
                    new JobError(ErrorCode.INVALID_PROBLEM, e.getMessage()), Double.NaN, Double.NaN);
        }
        JobError error = switch (r.termination()) {
            case CONVERGED, MAX_ITERATIONS -> null;
            case DIVERGED -> JobError.relaxationDiverged(method, r.iterations(), omega, r.relativeResidual());
            case INCONSISTENT -> {
                params.put("certificateNorm", r.certificateNorm());
                yield JobError.inconsistent(r.iterations(), r.certificateNorm(), r.relativeResidual());
            }
            case STOPPED -> JobError.stopped(cancellation, r.iterations());
        };
        boolean converged = r.relativeResidual() <= o.tolerance();
        return new SolveOutcome(method, params, r.iterations(), r.relativeResidual(), converged && error == null,
                r.x(), error, Double.NaN, Double.NaN);
    }
}
