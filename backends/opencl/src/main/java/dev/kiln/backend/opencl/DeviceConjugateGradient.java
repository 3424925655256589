package dev.kiln.backend.opencl;

import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * (Preconditioned) conjugate gradients with every vector and scalar on the device (Saad,
 * "Iterative Methods for Sparse Linear Systems", 2nd ed., Algorithm 9.1; the kernels are in
 * {@code cg.cl}). The host enqueues {@code checkInterval} iterations, then reads the small
 * state buffer once: status (running, converged on the recursive residual, breakdown) and the
 * iteration count; the device stops iterating by itself within a batch.
 *
 * <p>Accuracy is judged on the host in fp64, as in {@link ConjugateGradient}: when the device
 * claims convergence, x is read back and the true residual b − A·x computed; if it is above
 * the tolerance, CG restarts on the true residual. The restart keeps x on the host in fp64 and
 * lets the device solve for the correction from zero (x = x_host + d), so with fp32 kernels
 * this is mixed-precision iterative refinement (Moler, J. ACM 14(2), 1967; Carson and Higham,
 * SIAM J. Sci. Comput. 40(2), 2018) and reaches fp64 accuracy when κ(A)·u_fp32 &lt; 1; with
 * fp64 kernels it is van der Vorst and Ye's residual replacement. As in the CPU solver, a
 * restart that fails to cut the true residual by 10 % ends the solve as STAGNATED.
 *
 * <p>With a reordered matrix (SELL-C-σ sorts rows by length within σ windows) the device
 * solves P·A·Pᵀ·(P·x) = P·b: the vectors written to the device are gathered into the device
 * order and the correction read back is scattered out of it, only at the start, at restarts
 * and at the end; CG itself is invariant under the symmetric permutation (same iterates up to
 * rounding), so the iteration counts match the CSR path's.
 *
 * <p>Not thread-safe; one instance per solve.
 */
final class DeviceConjugateGradient {

    /** What ran, beside the usual report. */
    record Result(SolveReport report, int restarts, boolean uploaded) { }

    private DeviceConjugateGradient() { }

    /**
     * @param lease   the matrix on the device (its {@code invDiag} is used when {@code jacobi})
     * @param monitor told the iteration and recursive relative residual after each batch;
     *                returning false stops the solve (cancellation, deadline)
     */
    static Result solve(ClDevice device, CgKernels kernels, DeviceMatrixCache.Lease lease, CsrMatrix a, double[] b,
                        double[] x0, boolean jacobi, double tol, int maxIterations, int checkInterval,
                        IterationMonitor monitor) {
        final int n = a.rows();
        final boolean fp64 = kernels.fp64;
        final DeviceMatrix m = lease.matrix;
        double[] xHost = new double[n];
        double bnorm = norm(b);
        if (bnorm == 0) return new Result(new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, xHost), 0, lease.uploaded);
        if (x0 != null) System.arraycopy(x0, 0, xHost, 0, n);
        double[] invDiag = jacobi ? inverseDiagonal(a) : null;

        double[] r = new double[n];
        residual(a, b, xHost, r);
        double trueRel = norm(r) / bnorm;
        if (!Double.isFinite(trueRel)) return new Result(new SolveReport(Termination.DIVERGED, 0, trueRel, trueRel, xHost), 0, lease.uploaded);
        if (trueRel <= tol) return new Result(new SolveReport(Termination.CONVERGED, 0, trueRel, trueRel, xHost), 0, lease.uploaded);
        if (maxIterations == 0) return new Result(new SolveReport(Termination.MAX_ITERATIONS, 0, trueRel, trueRel, xHost), 0, lease.uploaded);

        cl_command_queue queue = device.newQueue();
        WorkVectorPool.Set w = device.workVectors.take(new WorkVectorPool.Shape(n, fp64, jacobi,
                2 * Math.max(kernels.spmvGroups, kernels.vectorGroups)));
        boolean clean = false; // whether the set may go back to the pool (not after an OpenCL error)
        final cl_mem dx = w.x, dr = w.r, dz = w.z, dp = w.p, ds = w.s, dstate = w.state;
        try {
            double[] zeros = new double[n];
            double[] z = jacobi ? mul(invDiag, r) : r;
            ClBuffers.write(queue, dx, zeros, fp64);
            ClBuffers.write(queue, dr, DeviceMatrix.gather(r, m.order), fp64);
            if (jacobi) ClBuffers.write(queue, dz, DeviceMatrix.gather(z, m.order), fp64);
            ClBuffers.write(queue, dp, DeviceMatrix.gather(z, m.order), fp64);
            double[] s = new double[CgKernels.S_LENGTH];
            s[CgKernels.S_RHO] = dot(r, z);
            s[CgKernels.S_TOL2] = tol * tol * bnorm * bnorm;
            s[CgKernels.S_RR] = dot(r, r);
            ClBuffers.write(queue, ds, s, fp64);
            int[] state = {CgKernels.STATUS_RUNNING, 0};
            ClBuffers.write(queue, dstate, state);
            kernels.bindCg(m, dx, dr, dz, dp, w.q, w.partial, ds, dstate);

            int it = 0;
            int restarts = 0;
            double lastRestartTrue = Double.POSITIVE_INFINITY;
            double recursiveRel = trueRel;
            double[] d = new double[n];
            boolean folded = false; // whether xHost already holds the device's current correction
            Termination end;
            while (true) {
                int batch = Math.min(checkInterval, maxIterations - it);
                for (int i = 0; i < batch; i++) kernels.enqueueIteration(queue);
                ClBuffers.read(queue, dstate, state);
                ClBuffers.read(queue, ds, s, fp64);
                it = state[CgKernels.STATE_ITERATIONS];
                recursiveRel = Math.sqrt(Math.max(0, s[CgKernels.S_RR])) / bnorm;
                boolean proceed = monitor.proceed(it, recursiveRel);
                int status = state[CgKernels.STATE_STATUS];
                if (status == CgKernels.STATUS_NOT_SPD) { end = Termination.NOT_SPD; break; }
                if (status == CgKernels.STATUS_DIVERGED) { end = Termination.DIVERGED; break; }
                if (status == CgKernels.STATUS_CONVERGED) {
                    // The recursive residual says converged: fold the correction into x and look at the truth.
                    ClBuffers.read(queue, dx, d, fp64);
                    addInOriginalOrder(xHost, d, m.order);
                    folded = true;
                    residual(a, b, xHost, r);
                    trueRel = norm(r) / bnorm;
                    if (trueRel <= tol) { end = Termination.CONVERGED; break; }
                    if (!Double.isFinite(trueRel)) { end = Termination.DIVERGED; break; }
                    if (trueRel > ConjugateGradient.RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                    lastRestartTrue = trueRel;
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                    restarts++;
                    folded = false;
                    z = jacobi ? mul(invDiag, r) : r;
                    ClBuffers.write(queue, dx, zeros, fp64);
                    ClBuffers.write(queue, dr, DeviceMatrix.gather(r, m.order), fp64);
                    if (jacobi) ClBuffers.write(queue, dz, DeviceMatrix.gather(z, m.order), fp64);
                    ClBuffers.write(queue, dp, DeviceMatrix.gather(z, m.order), fp64);
                    s[CgKernels.S_RHO] = dot(r, z);
                    s[CgKernels.S_RR] = dot(r, r);
                    ClBuffers.write(queue, ds, s, fp64);
                    state[CgKernels.STATE_STATUS] = CgKernels.STATUS_RUNNING;
                    ClBuffers.write(queue, dstate, state);
                    continue;
                }
                if (!proceed) { end = Termination.STOPPED; break; }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
            }
            if (!folded) {
                ClBuffers.read(queue, dx, d, fp64);
                addInOriginalOrder(xHost, d, m.order);
            }
            residual(a, b, xHost, r);
            trueRel = norm(r) / bnorm;
            if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
            clean = true;
            return new Result(new SolveReport(end, it, trueRel, recursiveRel, xHost), restarts, lease.uploaded);
        } finally {
            if (clean) device.workVectors.give(w);
            else w.free();
            CL.clReleaseCommandQueue(queue);
        }
    }

    /** Device bytes a solve uses beside the matrix: x, r, z, p, q and the reductions (pooled: {@link WorkVectorPool}). */
    static long workBytes(int n, boolean fp64, boolean jacobi, int groups) {
        return ((jacobi ? 5L : 4L) * n + 2L * groups + CgKernels.S_LENGTH) * ClBuffers.realSize(fp64) + 8;
    }

    /** x += d, with d in the device order {@code order} (null: the original order). */
    static void addInOriginalOrder(double[] x, double[] d, int[] order) {
        if (order == null) for (int i = 0; i < x.length; i++) x[i] += d[i];
        else for (int i = 0; i < x.length; i++) x[order[i]] += d[i];
    }

    static void residual(CsrMatrix a, double[] b, double[] x, double[] r) {
        a.multiply(x, r);
        for (int i = 0; i < r.length; i++) r[i] = b[i] - r[i];
    }

    private static double[] inverseDiagonal(CsrMatrix a) {
        double[] d = a.diagonal();
        for (int i = 0; i < d.length; i++) d[i] = 1.0 / d[i];
        return d;
    }

    private static double[] mul(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * b[i];
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm(double[] v) { return Math.sqrt(dot(v, v)); }
}
