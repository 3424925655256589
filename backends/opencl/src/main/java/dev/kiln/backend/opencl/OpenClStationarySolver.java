package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.stationary.SplitMatrix;
import dev.kiln.spi.BackendException;
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
 * SOR and SSOR jobs on the OpenCL device: multicolour (red-black for a 5-point stencil) sweeps
 * ({@link DeviceRelaxation}) on the matrix in {@link DeviceMatrix.Layout#COLOURED} layout, so the
 * ω tuner can drive this backend as it drives the CPU's. Options, validation and error codes
 * are the CPU backend's ({@code CpuStationarySolver}): ω "auto" left unfilled is 1; ω outside
 * (0, 2) or a zero diagonal entry is INVALID_PROBLEM; DIVERGED, INCONSISTENT (with
 * {@code certificateNorm}), CANCELLED and DEADLINE_EXCEEDED as there; an fp32 refinement that
 * stalls is NOT_CONVERGED. The colour order differs from the CPU's lexicographic sweep, so the
 * iteration counts differ (the asymptotic rate is the same for consistently ordered matrices
 * such as the 5-point stencil, Saad §4.2.5) while the answers agree to the tolerance.
 *
 * <p>Stateless apart from the device's thread-safe caches.
 */
final class OpenClStationarySolver {
    private final ClDevice device;
    private final OpenClConfig config;

    OpenClStationarySolver(ClDevice device, OpenClConfig config) {
        this.device = device;
        this.config = config;
    }

    /** Device bytes beside the matrix: b, x and the residual partial sums. */
    static long workBytes(int n, boolean fp64, int groups) {
        return (2L * n + groups) * ClBuffers.realSize(fp64);
    }

    SolveOutcome solve(Job job, boolean fp64, ProgressSink progress, Cancellation cancellation) throws BackendException {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        CsrMatrix a = p.a();
        String method = o.method().wireName();
        double omega = o.omegaOrDefault();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("omega", omega);
        try {
            if (!(omega > 0 && omega < 2)) {
                throw new InvalidProblemException("options.omega", "must be in (0, 2) for SOR/SSOR to converge, was " + omega);
            }
            SplitMatrix.of(a); // the CPU's checks: square, no zero diagonal entry (the sweep divides by it)
        } catch (InvalidProblemException e) {
            return new SolveOutcome(method, params, 0, Double.NaN, false, null,
                    new JobError(ErrorCode.INVALID_PROBLEM, e.getMessage()), Double.NaN, Double.NaN);
        }
        int groups = (int) Math.min(CgKernels.maxGroups(device.info), Math.max(1, a.rows()));
        long work = workBytes(a.rows(), fp64, groups);
        long need = DeviceMatrix.uploadBytes(a, fp64, DeviceMatrix.Layout.COLOURED) + work;
        if (need > device.memoryBudgetBytes) {
            throw new BackendException.Retriable("the job needs " + need + " bytes of device memory, over the budget of "
                    + device.memoryBudgetBytes + " bytes (" + OpenClConfig.MEMORY_BUDGET_CONFIG + ")", null);
        }
        DeviceRelaxation.Result r;
        boolean uploaded;
        int colours;
        try (RelaxKernels kernels = RelaxKernels.create(device, fp64, a.rows(), config.buildOptions());
             DeviceMatrixCache.Lease lease = device.matrices.acquire(a, fp64, DeviceMatrix.Layout.COLOURED, work)) {
            uploaded = lease.uploaded;
            colours = lease.matrix.colourStart.length - 1;
            r = DeviceRelaxation.solve(device, kernels, lease.matrix, a, p.b(), p.x0(), o.method() == LinearMethod.SSOR, omega,
                    o.tolerance(), o.maxIterations(), config.checkInterval(), (it, res) -> {
                        progress.report(it, res);
                        return !cancellation.shouldStop();
                    });
        }
        params.put("precision", fp64 ? "fp64" : "fp32");
        params.put("device", device.info.name());
        params.put("colours", colours);
        params.put("restarts", r.restarts());
        params.put("matrixUploaded", uploaded);
        JobError error = switch (r.end()) {
            case CONVERGED, MAX_ITERATIONS -> null;
            case DIVERGED -> JobError.relaxationDiverged(method, r.iterations(), omega, r.relativeResidual());
            case INCONSISTENT -> {
                params.put("certificateNorm", r.certificateNorm());
                yield JobError.inconsistent(r.iterations(), r.certificateNorm(), r.relativeResidual());
            }
            case STAGNATED -> new JobError(ErrorCode.NOT_CONVERGED, "stagnated at iteration " + r.iterations()
                    + ": refining the fp32 sweeps in fp64 stopped reducing the true relative residual "
                    + r.relativeResidual() + " above the tolerance " + o.tolerance());
            case STOPPED -> JobError.stopped(cancellation, r.iterations());
        };
        boolean converged = r.relativeResidual() <= o.tolerance();
        return new SolveOutcome(method, params, r.iterations(), r.relativeResidual(), converged && error == null,
                r.x(), error, Double.NaN, Double.NaN);
    }
}
