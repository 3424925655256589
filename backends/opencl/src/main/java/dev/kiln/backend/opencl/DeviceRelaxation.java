package dev.kiln.backend.opencl;

import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.stationary.RelaxationSolver;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * Multicolour SOR and SSOR with the iterate on the device ({@code relax.cl}, one launch per
 * colour sweep). The host enqueues {@code checkInterval} iterations, then one residual kernel,
 * and reads its work-group partial sums: the residual b − A·x is checked every k sweeps, not
 * after every sweep as {@link RelaxationSolver} does, so a solve may run up to k − 1 sweeps past
 * the one that reached the tolerance (the reported count is the sweeps that ran).
 *
 * <p>As in {@link DeviceConjugateGradient}, the device solves for a correction from zero against
 * the residual of the host's fp64 x, and the answer is judged on the host in fp64. With fp32
 * kernels the device's residual cannot fall far below fp32 rounding, so an inner run stops at
 * {@link #FP32_INNER_REDUCTION} of its starting residual and the host refines (mixed-precision
 * iterative refinement); a refinement that does not cut the true residual by
 * {@link ConjugateGradient#RESTART_PROGRESS} ends as STAGNATED.
 *
 * <p>Endings mirror {@link RelaxationSolver}: a non-finite residual, or one grown past
 * {@link RelaxationSolver#DIVERGENCE} times its start, is DIVERGED; with fp64 kernels an
 * inconsistent system is certified as the CPU's {@code InconsistencyDetector} does, on
 * x_{k+m} − x_k averaged over m ≥ {@link #DETECT_EVERY} sweeps (for a map without a fixed point
 * the differences converge to the same infimal displacement d, so their mean does too). In fp32
 * the detector's 1e-7 direction test is below rounding, so it is off and such a system ends at
 * its budget, not converged.
 *
 * <p>Not thread-safe; one call per solve.
 */
final class DeviceRelaxation {

    /** How a solve ended: {@link dev.kiln.solvers.stationary.StationaryTermination}'s cases plus STAGNATED. */
    enum End { CONVERGED, MAX_ITERATIONS, DIVERGED, INCONSISTENT, STAGNATED, STOPPED }

    /**
     * @param iterations       sweeps (an SSOR iteration, forward plus backward, counts once)
     * @param relativeResidual true ‖b − A·x‖₂/‖b‖₂ of x, computed on the host in fp64
     * @param certificateNorm  ‖d‖₂ for INCONSISTENT, NaN otherwise
     */
    record Result(End end, int iterations, double relativeResidual, double certificateNorm, double[] x, int restarts) { }

    /**
     * An fp32 inner run stops at this fraction of its starting residual: fp32's unit roundoff is
     * 6e-8 (IEEE 754 binary32), so 1e-4 stays well above the floor κ·u for κ up to ~1e3 and each
     * refinement still gains four digits.
     */
    static final double FP32_INNER_REDUCTION = 1e-4;

    /** The CPU detector's CHECK_EVERY (solvers/stationary/InconsistencyDetector): sweeps between two differences. */
    static final int DETECT_EVERY = 16;
    /** The CPU detector's thresholds (InconsistencyDetector: direction, null vector, alignment). */
    static final double DIRECTION_TOLERANCE = 1e-7;
    static final double NULL_TOLERANCE = 1e-9;
    static final double ALIGNMENT_TOLERANCE = 1e-6;

    private DeviceRelaxation() { }

    static Result solve(ClDevice device, RelaxKernels kernels, DeviceMatrix m, CsrMatrix a, double[] b, double[] x0,
                        boolean ssor, double omega, double tol, int maxIterations, int checkInterval,
                        IterationMonitor monitor) {
        final int n = a.rows();
        final boolean fp64 = kernels.fp64;
        double[] xHost = new double[n];
        double bnorm = norm(b);
        if (bnorm == 0) return new Result(End.CONVERGED, 0, 0, Double.NaN, xHost, 0);
        if (x0 != null) System.arraycopy(x0, 0, xHost, 0, n);
        double[] r = new double[n];
        DeviceConjugateGradient.residual(a, b, xHost, r);
        double rel = norm(r) / bnorm;
        final double start = rel;
        final double divergence = RelaxationSolver.DIVERGENCE * Math.max(start, 1);
        if (!Double.isFinite(rel) || rel > divergence) return new Result(End.DIVERGED, 0, rel, Double.NaN, xHost, 0);
        if (rel <= tol) return new Result(End.CONVERGED, 0, rel, Double.NaN, xHost, 0);
        if (maxIterations == 0) return new Result(End.MAX_ITERATIONS, 0, rel, Double.NaN, xHost, 0);

        cl_command_queue queue = device.newQueue();
        cl_mem db = null, dx = null, dpartial = null;
        try {
            db = ClBuffers.readOnly(device.context, DeviceMatrix.gather(r, m.order), fp64);
            dx = ClBuffers.readWrite(device.context, new double[n], fp64);
            dpartial = ClBuffers.scratch(device.context, kernels.residualGroups, fp64);
            kernels.bind(m, db, dx, dpartial, omega);
            double[] partial = new double[kernels.residualGroups];
            double[] d = new double[n];
            double[] zeros = new double[n];
            Detector detector = fp64 ? new Detector(a, b, bnorm, m.order) : null;
            double innerStart = rel;
            int it = 0, restarts = 0;
            End end;
            double certificate = Double.NaN;
            while (true) {
                int batch = Math.min(checkInterval, maxIterations - it);
                for (int i = 0; i < batch; i++) kernels.enqueueIteration(queue, ssor);
                it += batch;
                kernels.enqueueResidual(queue);
                ClBuffers.read(queue, dpartial, partial, fp64);
                double sum = 0;
                for (double p : partial) sum += p;
                double deviceRel = Math.sqrt(sum) / bnorm;
                boolean proceed = monitor.proceed(it, deviceRel);
                if (detector != null && detector.due(it)) {
                    ClBuffers.read(queue, dx, d, fp64);
                    certificate = detector.offer(it, d);
                    if (!Double.isNaN(certificate) && deviceRel > tol) { end = End.INCONSISTENT; break; }
                }
                if (!Double.isFinite(deviceRel) || deviceRel > divergence) { end = End.DIVERGED; break; }
                double innerTarget = fp64 ? tol : Math.max(tol, FP32_INNER_REDUCTION * innerStart);
                if (deviceRel <= innerTarget) {
                    // The device says this run is done: fold its correction into x and look at the truth.
                    ClBuffers.read(queue, dx, d, fp64);
                    DeviceConjugateGradient.addInOriginalOrder(xHost, d, m.order);
                    DeviceConjugateGradient.residual(a, b, xHost, r);
                    rel = norm(r) / bnorm;
                    if (rel <= tol) { end = End.CONVERGED; break; }
                    if (!Double.isFinite(rel) || rel > divergence) { end = End.DIVERGED; break; }
                    if (rel > ConjugateGradient.RESTART_PROGRESS * innerStart) { end = End.STAGNATED; break; }
                    if (!proceed) { end = End.STOPPED; break; }
                    if (it >= maxIterations) { end = End.MAX_ITERATIONS; break; }
                    restarts++;
                    innerStart = rel;
                    ClBuffers.write(queue, db, DeviceMatrix.gather(r, m.order), fp64);
                    ClBuffers.write(queue, dx, zeros, fp64);
                    if (detector != null) detector.reset(it);
                    continue;
                }
                if (!proceed) { end = End.STOPPED; break; }
                if (it >= maxIterations) { end = End.MAX_ITERATIONS; break; }
            }
            if (end != End.CONVERGED && end != End.STAGNATED) {
                ClBuffers.read(queue, dx, d, fp64);
                if (end == End.DIVERGED) {
                    // a diverged iterate says nothing useful; report the residual it reached honestly
                    double[] xd = xHost.clone();
                    DeviceConjugateGradient.addInOriginalOrder(xd, d, m.order);
                    DeviceConjugateGradient.residual(a, b, xd, r);
                    return new Result(end, it, norm(r) / bnorm, Double.NaN, xd, restarts);
                }
                DeviceConjugateGradient.addInOriginalOrder(xHost, d, m.order);
                DeviceConjugateGradient.residual(a, b, xHost, r);
                rel = norm(r) / bnorm;
                if ((end == End.MAX_ITERATIONS || end == End.STOPPED) && rel <= tol) end = End.CONVERGED;
            }
            return new Result(end, it, rel, end == End.INCONSISTENT ? certificate : Double.NaN, xHost, restarts);
        } finally {
            ClBuffers.release(db);
            ClBuffers.release(dx);
            ClBuffers.release(dpartial);
            CL.clReleaseCommandQueue(queue);
        }
    }

    /**
     * The CPU's inconsistency test on the device iterate: every ≥ {@link #DETECT_EVERY} sweeps the
     * mean difference δ = (x_k − x_j)/(k − j) since the last snapshot j is compared with the previous
     * one (same direction, not shrinking), and then checked to be a null vector of A with bᵀδ ≠ 0.
     */
    private static final class Detector {
        private final CsrMatrix a;
        private final double[] b;
        private final double bnorm;
        private final int[] order;
        private final double frobenius;
        private final double[] snapshot;
        private final double[] previous;
        private final double[] delta;
        private final double[] scratch;
        private int snapshotAt = -1;
        private double previousNorm = Double.NaN;

        Detector(CsrMatrix a, double[] b, double bnorm, int[] order) {
            this.a = a;
            this.b = b;
            this.bnorm = bnorm;
            this.order = order;
            double f = 0;
            for (double v : a.values()) f += v * v;
            this.frobenius = Math.sqrt(f);
            int n = a.rows();
            snapshot = new double[n];
            previous = new double[n];
            delta = new double[n];
            scratch = new double[n];
            snapshotAt = 0; // the device run starts from d = 0
        }

        boolean due(int it) { return it - snapshotAt >= DETECT_EVERY; }

        /** A new device run from d = 0 at sweep {@code it}. */
        void reset(int it) {
            java.util.Arrays.fill(snapshot, 0);
            snapshotAt = it;
            previousNorm = Double.NaN;
        }

        /** Offers the device iterate d (device order) at sweep {@code it}; ‖δ‖ when the certificate holds, else NaN. */
        double offer(int it, double[] d) {
            int n = d.length;
            double span = it - snapshotAt;
            for (int i = 0; i < n; i++) delta[order == null ? i : order[i]] = (d[i] - snapshot[i]) / span;
            System.arraycopy(d, 0, snapshot, 0, n);
            snapshotAt = it;
            double dn = norm(delta);
            double result = Double.NaN;
            if (previousNorm > 0 && dn > 0) {
                double diff = 0;
                for (int i = 0; i < n; i++) {
                    double e = delta[i] / dn - previous[i] / previousNorm;
                    diff += e * e;
                }
                if (Math.sqrt(diff) <= DIRECTION_TOLERANCE && dn >= (1 - DIRECTION_TOLERANCE) * previousNorm) {
                    a.multiply(delta, scratch);
                    boolean nullVector = norm(scratch) <= NULL_TOLERANCE * frobenius * dn;
                    double bd = 0;
                    for (int i = 0; i < n; i++) bd += b[i] * delta[i];
                    if (nullVector && Math.abs(bd) >= ALIGNMENT_TOLERANCE * bnorm * dn) result = dn;
                }
            }
            System.arraycopy(delta, 0, previous, 0, n);
            previousNorm = dn;
            return result;
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }
}
