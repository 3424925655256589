package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

import static dev.kiln.solvers.kernel.ScalarKernels.axpy;
import static dev.kiln.solvers.kernel.ScalarKernels.copy;
import static dev.kiln.solvers.kernel.ScalarKernels.dot;
import static dev.kiln.solvers.kernel.ScalarKernels.norm2;
import static dev.kiln.solvers.kernel.ScalarKernels.residual;
import static dev.kiln.solvers.kernel.ScalarKernels.spmv;
import static dev.kiln.solvers.kernel.ScalarKernels.xpay;

/**
 * Preconditioned conjugate gradients for symmetric positive definite A (Saad, "Iterative
 * Methods for Sparse Linear Systems", 2nd ed., §9.2.1, Algorithm 9.1; with M = I it is
 * Algorithm 6.18 of §6.7), on the scalar reference kernels.
 *
 * <p>Stopping: the loop tests the recursively updated residual, ‖r_j‖₂/‖b‖₂ ≤ tol. That r_j
 * drifts from the true b − A·x_j in floating point (Greenbaum, "Iterative Methods for Solving
 * Linear Systems", SIAM 1997, §7.3), so when it claims convergence the true residual is
 * computed; it is accepted only if ≤ tol, otherwise r is replaced by the true residual and CG
 * restarts from the current x with p = M⁻¹r (residual replacement, van der Vorst and Ye, SIAM J.
 * Sci. Comput. 22(3), 2000) within the same iteration budget. A restart that fails to cut by 10% the
 * true residual of the previous one ends the solve as {@link Termination#STAGNATED}: the
 * tolerance is below what this matrix allows in double precision, and iterating on would only
 * burn the budget. Whatever the
 * outcome, {@link SolveReport#relativeResidual()} is the true residual recomputed from the
 * returned x, so a report never overstates accuracy. A MAX_ITERATIONS end whose true residual
 * nevertheless meets tol is reported as CONVERGED.
 *
 * <p>Breakdown: pᵀAp ≤ 0 (A is not positive definite along p) or ρ = rᵀM⁻¹r ≤ 0 for r ≠ 0 (M is
 * not positive definite) ends the solve with {@link Termination#NOT_SPD}; a NaN or infinity
 * with {@link Termination#DIVERGED}. When b = 0 the answer is x = 0 with 0 iterations, whatever
 * x0 was.
 *
 * <p>Memory: four work vectors (r, z, p, q) are allocated once per solve, or supplied through
 * a reusable {@link Workspace}; the returned x is the only other allocation. Nothing is
 * allocated inside the loop. Stateless and thread-safe (a Workspace is not: one per thread).
 */
public final class ConjugateGradient {
    /** A restart must shrink the true residual at least by this factor, or the solve has stagnated. */
    public static final double RESTART_PROGRESS = 0.9;

    private ConjugateGradient() {}

    /** Reusable work vectors for systems of one size. Not thread-safe. */
    public static final class Workspace {
        final double[] r;
        final double[] z;
        final double[] p;
        final double[] q;

        public Workspace(int n) {
            if (n <= 0) throw new IllegalArgumentException("n must be positive: " + n);
            r = new double[n];
            z = new double[n];
            p = new double[n];
            q = new double[n];
        }

        public int size() {
            return r.length;
        }
    }

    /**
     * Solves A·x = b with a fresh workspace.
     *
     * @param a             SPD matrix (symmetry is not checked: PCG uses only products with A)
     * @param b             right-hand side, length n
     * @param x0            initial guess, or {@code null} for zero (not modified)
     * @param m             preconditioner (SPD), or {@code null} for none
     * @param tolerance     relative residual target ‖b − A·x‖₂/‖b‖₂, &gt; 0
     * @param maxIterations iteration budget, ≥ 0
     * @param monitor       called once per iteration, or {@code null}
     * @throws InvalidProblemException on mismatched shapes or invalid options
     */
    public static SolveReport solve(CsrMatrix a, double[] b, double[] x0, Preconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor) {
        check(a, b, x0, tolerance, maxIterations);
        return run(a, b, x0, m, tolerance, maxIterations, monitor, new Workspace(a.rows()));
    }

    /** As {@link #solve(CsrMatrix, double[], double[], Preconditioner, double, int, IterationMonitor)}, reusing {@code ws}. */
    public static SolveReport solve(CsrMatrix a, double[] b, double[] x0, Preconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor, Workspace ws) {
        check(a, b, x0, tolerance, maxIterations);
        if (ws == null || ws.size() != a.rows()) {
            throw new IllegalArgumentException("workspace size " + (ws == null ? "null" : ws.size()) + " does not match n=" + a.rows());
        }
        return run(a, b, x0, m, tolerance, maxIterations, monitor, ws);
    }

    private static void check(CsrMatrix a, double[] b, double[] x0, double tolerance, int maxIterations) {
        if (a == null) throw new InvalidProblemException("problem.matrix", "is missing");
        if (!a.isSquare()) throw new InvalidProblemException("problem.matrix", "must be square, was " + a.rows() + "x" + a.cols());
        if (b == null) throw new InvalidProblemException("problem.rhs", "is missing");
        if (b.length != a.rows()) {
            throw new InvalidProblemException("problem.rhs", "length " + b.length + " does not match matrix rows " + a.rows());
        }
        if (x0 != null && x0.length != a.rows()) {
            throw new InvalidProblemException("problem.x0", "length " + x0.length + " does not match matrix rows " + a.rows());
        }
        if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
            throw new InvalidProblemException("options.tolerance", "must be positive and finite, was " + tolerance);
        }
        if (maxIterations < 0) {
            throw new InvalidProblemException("options.maxIterations", "must not be negative, was " + maxIterations);
        }
    }

    private static SolveReport run(CsrMatrix a, double[] b, double[] x0, Preconditioner m,
                                   double tol, int maxIterations, IterationMonitor monitor, Workspace ws) {
        final int n = a.rows();
        final int[] rowPtr = a.rowPtr();
        final int[] colIdx = a.colIdx();
        final double[] values = a.values();
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        final double[] r = ws.r, z = ws.z, p = ws.p, q = ws.q;

        double[] x = new double[n];
        final double bnorm = norm2(n, b);
        if (bnorm == 0) return new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x);
        if (x0 != null) copy(n, x0, x);

        residual(n, rowPtr, colIdx, values, x, b, r); // r0 = b − A·x0
        double rel = norm2(n, r) / bnorm;
        int it = 0;
        double lastRestartTrue = Double.POSITIVE_INFINITY;
        Termination end;
        if (!Double.isFinite(rel)) {
            end = Termination.DIVERGED;
        } else if (rel <= tol) {
            end = Termination.CONVERGED;              // r0 is the true residual
        } else if (maxIterations == 0) {
            end = Termination.MAX_ITERATIONS;
        } else {
            m.apply(r, z);                            // z0 = M⁻¹r0
            double rho = dot(n, r, z);                // ρ0 = (r0, z0)
            copy(n, z, p);                            // p0 = z0
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                spmv(n, rowPtr, colIdx, values, p, q); // q = A·p_j
                double curvature = dot(n, p, q);       // (A p_j, p_j)
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double alpha = rho / curvature;        // α_j = (r_j, z_j)/(A p_j, p_j)
                axpy(n, alpha, p, x);                  // x_{j+1} = x_j + α_j p_j
                axpy(n, -alpha, q, r);                 // r_{j+1} = r_j − α_j A p_j
                it++;
                rel = norm2(n, r) / bnorm;
                if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
                boolean proceed = monitor.proceed(it, rel);
                if (rel <= tol) {
                    residual(n, rowPtr, colIdx, values, x, b, z); // true residual, z as scratch
                    double trueRel = norm2(n, z) / bnorm;
                    if (trueRel <= tol) { end = Termination.CONVERGED; break; }
                    // The recursive residual lied: replace it by the true one and restart.
                    copy(n, z, r);
                    rel = trueRel;
                    if (trueRel > RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                    lastRestartTrue = trueRel;
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                    m.apply(r, z);
                    rho = dot(n, r, z);
                    copy(n, z, p);
                    continue;
                }
                if (!proceed) { end = Termination.STOPPED; break; }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                m.apply(r, z);                         // z_{j+1} = M⁻¹ r_{j+1}
                double rhoNext = dot(n, r, z);
                double beta = rhoNext / rho;           // β_j = (r_{j+1}, z_{j+1})/(r_j, z_j)
                xpay(n, z, beta, p);                   // p_{j+1} = z_{j+1} + β_j p_j
                rho = rhoNext;
            }
        }
        // Report the true residual of the returned x, never the recursive one.
        residual(n, rowPtr, colIdx, values, x, b, z);
        double trueRel = norm2(n, z) / bnorm;
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        return new SolveReport(end, it, trueRel, rel, x);
    }
}
