package dev.kiln.backend.opencl;

import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.BackendException;
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

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear jobs on the OpenCL device: CG and Jacobi-PCG, device-resident
 * ({@link DeviceConjugateGradient}) on a CSR or SELL-C-σ matrix (per matrix by
 * {@link DeviceMatrix#cgLayout}, or {@code kiln.opencl.cg-format}; {@code parameters.spmvFormat}
 * says which ran), and multicolour SOR/SSOR ({@link OpenClStationarySolver}). Runs fp64 kernels
 * when the device has cl_khr_fp64 and the job asks for fp64; otherwise fp32 kernels refined in
 * fp64 on the host; the result's {@code parameters.precision} says which ran. The non-symmetric
 * methods and the preconditioners other than Jacobi are refused with a reason, so the router
 * sends those jobs elsewhere.
 *
 * <p>Threads: stateless apart from the device's thread-safe caches; concurrent solves each
 * use their own queue, kernels and work vectors.
 */
final class OpenClLinearSolver {
    private final ClDevice device;
    private final OpenClConfig config;
    private final OpenClStationarySolver stationary;

    OpenClLinearSolver(ClDevice device, OpenClConfig config) {
        this.device = device;
        this.config = config;
        this.stationary = new OpenClStationarySolver(device, config);
    }

    /** The layout CG runs {@code a} in: the configured one, else the per-matrix rule. */
    DeviceMatrix.Layout cgLayout(CsrMatrix a) {
        return config.cgLayout() != null ? config.cgLayout() : DeviceMatrix.cgLayout(a);
    }

    private static DeviceMatrix.Layout layout(LinearOptions o, DeviceMatrix.Layout cg) {
        return o.method() == LinearMethod.SOR || o.method() == LinearMethod.SSOR ? DeviceMatrix.Layout.COLOURED : cg;
    }

    Support supports(Job job) {
        if (!(job.problem() instanceof LinearProblem p)) {
            return Support.no(ErrorCode.INVALID_PROBLEM, "a linear job must carry a linear problem");
        }
        LinearOptions o = job.options().linear();
        switch (o.method()) {
            case CG, PCG -> {
                String pre = o.preconditioner();
                if (!pre.equals("auto") && !pre.equals("none") && !pre.equals("jacobi")) {
                    return Support.no(ErrorCode.UNSUPPORTED, "options.preconditioner: " + pre
                            + " runs on the cpu backend, not on opencl (opencl's CG takes none, jacobi and auto; ssor, ic0 and "
                            + "chebyshev preconditioners are cpu-only by design, see docs/ARCHITECTURE.md issue 5)");
                }
            }
            case SOR, SSOR -> {
                Support s = o.stationarySupport();
                if (!s.supported()) return s;
            }
            case AUTO -> {
                if (!p.a().isSymmetric(1e-12)) {
                    return Support.no(ErrorCode.UNSUPPORTED, "method auto: the matrix is not symmetric and the opencl backend "
                            + "runs only CG/PCG (BiCGSTAB and GMRES run on the cpu backend)");
                }
            }
            default -> {
                return Support.no(ErrorCode.UNSUPPORTED, "options.method: " + o.method().wireName()
                        + " runs on the cpu backend, not on opencl (opencl runs cg, pcg, sor, ssor and auto)");
            }
        }
        boolean fp64 = fp64(o);
        long stored = layout(o, cgLayout(p.a())) == DeviceMatrix.Layout.SELL
                ? SellLayout.storedEntries(p.a()) : p.a().nnz();
        long values = stored * ClBuffers.realSize(fp64);
        long vector = (long) p.size() * ClBuffers.realSize(fp64);
        long largest = Math.max(values, Math.max(vector, stored * Integer.BYTES));
        if (largest > device.info.maxAllocBytes()) {
            return Support.no(ErrorCode.TOO_LARGE, "problem.matrix: a buffer of " + largest + " bytes exceeds the device's "
                    + "largest allocation of " + device.info.maxAllocBytes() + " bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        return Support.YES;
    }

    /**
     * Bytes to move: the matrix upload when it is not resident yet (0 when it is), plus the
     * work vectors written before the solve (x, r, p and z) and x read back after it.
     */
    Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        boolean fp64 = fp64(o);
        DeviceMatrix.Layout layout = layout(o, cgLayout(p.a()));
        long matrix = device.matrices.contains(p.a(), fp64, layout) ? 0 : DeviceMatrix.uploadBytes(p.a(), fp64, layout);
        long vectors = 5L * p.size() * ClBuffers.realSize(fp64);
        // CG ends in at most n steps in exact arithmetic (Saad §6.7); the budget caps it.
        double iters = Math.min(o.maxIterations(), p.size());
        return new Features(p.size(), p.a().nnz(), Math.max(1, iters), matrix + vectors, fp64 ? Precision.FP64 : Precision.FP32);
    }

    /** fp64 kernels only when the job wants fp64, the device has it and the configuration allows it. */
    boolean fp64(LinearOptions o) {
        return o.precision() == Precision.FP64 && device.info.fp64() && !config.forceFp32();
    }

    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        CsrMatrix a = p.a();
        if (o.method() == LinearMethod.SOR || o.method() == LinearMethod.SSOR) {
            return stationary.solve(job, fp64(o), progress, cancellation);
        }
        boolean positiveDiagonal = JacobiPreconditioner.isApplicable(a);
        boolean jacobi = switch (o.preconditioner()) {
            case "jacobi" -> true;
            case "none" -> false;
            default -> o.method() != LinearMethod.CG && positiveDiagonal; // auto: Jacobi whenever it is usable
        };
        String method = jacobi ? "pcg+jacobi" : "cg";
        if (jacobi && !positiveDiagonal) {
            return new SolveOutcome(method, Map.of(), 0, Double.NaN, false, null, new JobError(ErrorCode.NOT_SPD,
                    "the Jacobi preconditioner needs a positive diagonal; the matrix has a diagonal entry ≤ 0, so it is not SPD"),
                    Double.NaN, Double.NaN);
        }
        boolean fp64 = fp64(o);
        int lanes = config.lanesPerRow() > 0 ? config.lanesPerRow() : CgKernels.autoLanes(device.info, a.rows(), a.nnz());
        DeviceMatrix.Layout layout = cgLayout(a);
        // an upper bound of the launch's work-groups: capped for CSR, one per WG rows for SELL
        int groups = (int) Math.max(Math.min(CgKernels.maxGroups(device.info), Math.max(1, a.rows())),
                layout == DeviceMatrix.Layout.SELL ? (a.rows() + device.workGroupSize - 1L) / device.workGroupSize : 0);
        long work = DeviceConjugateGradient.workBytes(a.rows(), fp64, jacobi, groups);
        long need = DeviceMatrix.uploadBytes(a, fp64, layout) + work;
        if (need > device.memoryBudgetBytes) {
            throw new BackendException.Retriable("the job needs " + need + " bytes of device memory, over the budget of "
                    + device.memoryBudgetBytes + " bytes (" + OpenClConfig.MEMORY_BUDGET_CONFIG + ")", null);
        }
        DeviceConjugateGradient.Result run;
        try (CgKernels kernels = CgKernels.create(device, fp64, lanes, jacobi, layout, a.rows(), config.buildOptions());
             DeviceMatrixCache.Lease lease = device.matrices.acquire(a, fp64, layout, work)) {
            run = DeviceConjugateGradient.solve(device, kernels, lease, a, p.b(), p.x0(), jacobi, o.tolerance(),
                    o.maxIterations(), config.checkInterval(), (it, res) -> {
                        progress.report(it, res);
                        return !cancellation.shouldStop();
                    });
        }
        SolveReport r = run.report();
        JobError error = switch (r.termination()) {
            case CONVERGED, MAX_ITERATIONS -> null;
            case NOT_SPD -> new JobError(ErrorCode.NOT_SPD, "CG met non-positive curvature by iteration " + r.iterations()
                    + ": the matrix (or preconditioner) is not symmetric positive definite; try method bicgstab or gmres");
            case DIVERGED, BREAKDOWN -> new JobError(ErrorCode.DIVERGED, "the iteration produced a non-finite value by iteration "
                    + r.iterations());
            case STAGNATED -> new JobError(ErrorCode.NOT_CONVERGED, "stagnated at iteration " + r.iterations()
                    + ": the true relative residual " + r.relativeResidual() + " stopped decreasing above the tolerance "
                    + o.tolerance() + " (below what this matrix allows in " + (fp64 ? "fp64" : "fp32 refined in fp64") + ")");
            case STOPPED -> cancellation.cancelled()
                    ? new JobError(ErrorCode.CANCELLED, "cancelled at iteration " + r.iterations())
                    : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed at iteration " + r.iterations());
        };
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("precision", fp64 ? "fp64" : "fp32");
        params.put("device", device.info.name());
        params.put("spmvFormat", layout == DeviceMatrix.Layout.SELL ? "sell" : "csr");
        if (layout == DeviceMatrix.Layout.CSR) params.put("lanesPerRow", Math.min(lanes, device.workGroupSize));
        params.put("workGroupSize", device.workGroupSize);
        params.put("restarts", run.restarts());
        params.put("matrixUploaded", run.uploaded());
        boolean converged = r.relativeResidual() <= o.tolerance();
        return new SolveOutcome(method, params, r.iterations(), r.relativeResidual(), converged && error == null,
                r.x(), error, Double.NaN, Double.NaN);
    }
}
