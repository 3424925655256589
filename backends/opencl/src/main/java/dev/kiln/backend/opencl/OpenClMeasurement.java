package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

import java.util.Map;

/**
 * The public measurement entry point of the OpenCL backend, for {@code ./kiln bench}: SpMV
 * bandwidth with the matrix and vectors resident on the device (kernel time only, in the
 * format the backend's rule picks), one resident CG iteration per format, QUBO annealing, and CG/PCG and
 * multicolour SOR/SSOR time to a tolerance through the backend's own
 * {@link OpenClBackend#solve} (so it includes the upload on a cold matrix, the host-side
 * residual checks and the read-back of x). Opening never throws: without a device,
 * {@link #available()} is false and {@link #reason()} says why.
 *
 * <p>Not thread-safe; one instance per benchmark run.
 */
public final class OpenClMeasurement implements AutoCloseable {
    private final OpenClBackend backend;
    private final String reason;

    /** SpMV on the device: best seconds per product, and how far it is from the host's fp64 product. */
    public record SpmvFigure(String format, String precision, double secondsPerProduct, double maxRelativeError,
                             long matrixBytes) { }

    /**
     * One solve through the backend (the best of {@code reps}); {@code format} is the sparse format
     * CG ran ({@code csr} or {@code sell}), or {@code coloured-csr} for SOR/SSOR, whose
     * {@code colours} it also gives (0 for CG).
     */
    public record CgFigure(String method, String precision, String format, int colours, double ms, int iterations,
                           double trueRelativeResidual, boolean converged, String error) { }

    private final Map<String, ?> settings;

    private OpenClMeasurement(OpenClBackend backend, Map<String, ?> settings, String reason) {
        this.backend = backend;
        this.settings = settings;
        this.reason = reason;
    }

    /** Opens the device chosen by {@code settings} ({@code kiln.opencl.*}; empty: the default choice). */
    public static OpenClMeasurement open(Map<String, ?> settings) {
        OpenClBackend b = new OpenClBackend();
        b.configure(settings);
        var probe = b.probe();
        if (!probe.available()) {
            b.close();
            return new OpenClMeasurement(null, settings, probe.reason());
        }
        return new OpenClMeasurement(b, Map.copyOf(settings), null);
    }

    public boolean available() { return backend != null; }

    /** Why no device is there (null when available). */
    public String reason() { return reason; }

    /** The device's name. */
    public String device() { return backend == null ? "none" : backend.device().info.name(); }

    /** Whether the device runs fp64 kernels. */
    public boolean fp64() { return backend != null && backend.device().info.fp64(); }

    /**
     * Times y = A x on the device for about {@code seconds} (batches of doubling size, each
     * ended by clFinish; the best time per product is kept), in fp64 when the device has it,
     * after checking the product against {@link CsrMatrix#multiply}.
     */
    public SpmvFigure spmv(CsrMatrix a, double[] x, double seconds) {
        ClDevice device = backend.device();
        boolean fp64 = fp64();
        int lanes = CgKernels.autoLanes(device.info, a.rows(), a.nnz());
        cl_command_queue queue = device.newQueue();
        cl_mem dx = null, dy = null;
        try (DeviceSpmv op = DeviceSpmv.create(device, a, fp64, null, lanes, "")) {
            dx = ClBuffers.readOnly(device.context, x, fp64);
            dy = ClBuffers.scratch(device.context, a.rows(), fp64);
            op.enqueue(queue, dx, dy);
            double[] got = new double[a.rows()], want = new double[a.rows()];
            ClBuffers.read(queue, dy, got, fp64);
            a.multiply(x, want);
            double err = 0, scale = 0;
            for (int i = 0; i < want.length; i++) {
                err = Math.max(err, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
            for (int i = 0; i < 5; i++) op.enqueue(queue, dx, dy);
            CL.clFinish(queue);
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            double best = Double.MAX_VALUE;
            int reps = 1;
            do {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) op.enqueue(queue, dx, dy);
                CL.clFinish(queue);
                double dt = (System.nanoTime() - t0) * 1e-9 / reps;
                best = Math.min(best, dt);
                // batches of at least 20 ms, as SpmvBench.best, so launch jitter averages out
                if (dt * reps < 0.02) reps *= 2;
            } while (System.nanoTime() < deadline);
            return new SpmvFigure(op.format.name().toLowerCase(java.util.Locale.ROOT), fp64 ? "fp64" : "fp32", best,
                    err / Math.max(1, scale), op.matrixBytes);
        } finally {
            ClBuffers.release(dx);
            ClBuffers.release(dy);
            CL.clReleaseCommandQueue(queue);
        }
    }

    /** The sparse format CG runs {@code a} in on this device by the backend's rule: {@code sell} or {@code csr}. */
    public String cgFormat(CsrMatrix a) {
        return DeviceMatrix.cgLayout(a) == DeviceMatrix.Layout.SELL ? "sell" : "csr";
    }

    /** Whether SELL-C-σ's padding is small enough for {@code a} that the rule takes it. */
    public static boolean sellSuits(CsrMatrix a) {
        return SellLayout.suits(a);
    }

    /**
     * Solves A x = b with {@code method} ({@code cg} or {@code pcg+jacobi}) to relative residual
     * {@code tol} through the backend, {@code reps} times, and keeps the fastest. {@code format}:
     * {@code auto} (the backend's rule), {@code csr} or {@code sell} ({@code kiln.opencl.cg-format}).
     */
    public CgFigure cg(CsrMatrix a, double[] b, String method, String format, double tol, int maxIterations, int reps)
            throws Exception {
        boolean jacobi = method.equals("pcg+jacobi");
        if (!jacobi && !method.equals("cg")) throw new IllegalArgumentException("method: cg or pcg+jacobi, not " + method);
        LinearOptions o = new LinearOptions(jacobi ? LinearMethod.PCG : LinearMethod.CG, jacobi ? "jacobi" : "none",
                Double.NaN, tol, maxIterations, Precision.FP64, false);
        Map<String, Object> s = new java.util.HashMap<>(settings);
        s.put(OpenClConfig.CG_FORMAT_CONFIG, format);
        backend.configure(s);
        try {
            return run(a, b, o, method, reps);
        } finally {
            backend.configure(settings);
        }
    }

    /**
     * Times one device-resident CG iteration (the five kernels of {@code cg.cl}: product with fused
     * pᵀq partials, α, x/r/z update with partial dots, β, p update) with everything resident and
     * nothing read back, in {@code format} ({@code csr} or {@code sell}), for about {@code seconds}:
     * batches of doubling size ended by clFinish, best time per iteration kept (as {@link #spmv}).
     * The iteration runs on b = 1 from x = 0 with a tolerance it cannot reach; a batch in which
     * the device stopped iterating (a breakdown) is not counted and the state is reset.
     */
    public double cgIterationSeconds(CsrMatrix a, String format, boolean jacobi, double seconds) {
        ClDevice device = backend.device();
        boolean fp64 = fp64();
        DeviceMatrix.Layout layout = switch (format) {
            case "csr" -> DeviceMatrix.Layout.CSR;
            case "sell" -> DeviceMatrix.Layout.SELL;
            default -> throw new IllegalArgumentException("format: csr or sell, not " + format);
        };
        int n = a.rows();
        int lanes = CgKernels.autoLanes(device.info, n, a.nnz());
        cl_command_queue queue = device.newQueue();
        try (CgKernels k = CgKernels.create(device, fp64, lanes, jacobi, layout, n, "");
             DeviceMatrixCache.Lease lease = device.matrices.acquire(a, fp64, layout, 0)) {
            if (jacobi && lease.matrix.invDiag == null) throw new IllegalArgumentException("Jacobi needs a positive diagonal");
            WorkVectorPool.Set w = device.workVectors.take(new WorkVectorPool.Shape(n, fp64, jacobi,
                    2 * Math.max(k.spmvGroups, k.vectorGroups)));
            boolean clean = false; // pooled again only without an OpenCL error, as in DeviceConjugateGradient
            try {
                k.bindCg(lease.matrix, w.x, w.r, w.z, w.p, w.q, w.partial, w.s, w.state);
                Runnable reset = () -> {
                    double[] ones = new double[n];
                    java.util.Arrays.fill(ones, 1);
                    ClBuffers.write(queue, w.x, new double[n], fp64);
                    ClBuffers.write(queue, w.r, ones, fp64);
                    if (jacobi) ClBuffers.write(queue, w.z, ones, fp64);
                    ClBuffers.write(queue, w.p, ones, fp64);
                    double[] sc = new double[CgKernels.S_LENGTH];
                    sc[CgKernels.S_RHO] = n;
                    sc[CgKernels.S_RR] = n;
                    sc[CgKernels.S_TOL2] = -1; // never "converged"
                    ClBuffers.write(queue, w.s, sc, fp64);
                    ClBuffers.write(queue, w.state, new int[] {CgKernels.STATUS_RUNNING, 0});
                };
                reset.run();
                for (int i = 0; i < 3; i++) k.enqueueIteration(queue);
                CL.clFinish(queue);
                int[] state = new int[CgKernels.STATE_LENGTH];
                long deadline = System.nanoTime() + (long) (seconds * 1e9);
                double best = Double.MAX_VALUE;
                int reps = 1;
                do {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) k.enqueueIteration(queue);
                    CL.clFinish(queue);
                    double dt = (System.nanoTime() - t0) * 1e-9 / reps;
                    ClBuffers.read(queue, w.state, state);
                    if (state[CgKernels.STATE_STATUS] != CgKernels.STATUS_RUNNING) { reset.run(); continue; }
                    best = Math.min(best, dt);
                    if (dt * reps < 0.02) reps *= 2;
                } while (System.nanoTime() < deadline);
                clean = true;
                if (best == Double.MAX_VALUE) throw new IllegalStateException("CG broke down in every timed batch");
                return best;
            } finally {
                if (clean) device.workVectors.give(w);
                else w.free();
            }
        } finally {
            CL.clReleaseCommandQueue(queue);
        }
    }

    /**
     * Solves A x = b by multicolour {@code sor} or {@code ssor} with {@code omega} on the device
     * to relative residual {@code tol}, {@code reps} times, and keeps the fastest.
     */
    public CgFigure relax(CsrMatrix a, double[] b, String method, double omega, double tol, int maxIterations, int reps)
            throws Exception {
        LinearMethod m = switch (method) {
            case "sor" -> LinearMethod.SOR;
            case "ssor" -> LinearMethod.SSOR;
            default -> throw new IllegalArgumentException("method: sor or ssor, not " + method);
        };
        return run(a, b, new LinearOptions(m, "none", omega, tol, maxIterations, Precision.FP64, false), method, reps);
    }

    private CgFigure run(CsrMatrix a, double[] b, LinearOptions o, String method, int reps) throws Exception {
        Job job = new Job("bench-" + method, JobKind.LINEAR, "bench", null, LinearProblem.of(a, b, null),
                new JobOptions(OpenClBackend.ID, Objective.LATENCY, 0, 1, o));
        var support = backend.supports(job);
        if (!support.supported()) throw new IllegalArgumentException("the opencl backend refuses the job: " + support.reason());
        double best = Double.MAX_VALUE;
        SolveOutcome out = null;
        for (int r = 0; r < Math.max(1, reps); r++) {
            long t0 = System.nanoTime();
            out = backend.solve(job, ProgressSink.NONE, Cancellation.NONE);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-6);
        }
        Map<String, Object> p = out.parameters();
        String format = p.containsKey("colours") ? "coloured-csr" : String.valueOf(p.get("spmvFormat"));
        int colours = p.get("colours") instanceof Integer c ? c : 0;
        return new CgFigure(out.method(), String.valueOf(p.get("precision")), format, colours, best, out.iterations(),
                out.residualNorm(), out.converged(), out.error() == null ? null : out.error().message());
    }

    /** Runs a QUBO / Max-Cut job through the backend (many-replica annealing on the device); the answer map is the result's. */
    public SolveOutcome qubo(QuboProblem q, QuboOptions options, long seed) throws Exception {
        Job job = new Job("bench-qubo", JobKind.QUBO, "bench", null, q, new JobOptions(OpenClBackend.ID, Objective.LATENCY, 0, seed, options));
        var support = backend.supports(job);
        if (!support.supported()) throw new IllegalArgumentException("the opencl backend refuses the job: " + support.reason());
        return backend.solve(job, ProgressSink.NONE, Cancellation.NONE);
    }

    @Override
    public void close() {
        if (backend != null) backend.close();
    }
}
