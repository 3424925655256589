package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * Preconditioned conjugate gradients for symmetric positive definite A (Saad, "Iterative
 * Methods for Sparse Linear Systems", 2nd ed., §9.2.1, Algorithm 9.1; with M = I it is
 * Algorithm 6.18 of §6.7), written once above {@link KrylovKernels} and a {@link SparseOperator}
 * so every backend runs the same algorithm on its own kernels (the scalar reference by default).
 *
 * <p>Memory traffic per iteration: q = A·p fused with pᵀq ({@link SparseOperator#applyDot}); one
 * fused pass x += αp, r −= αq, z = D⁻¹r, rᵀz, rᵀr ({@link KrylovKernels#cgUpdate}) when M is the
 * identity or diagonal (Jacobi); p = z + βp. That is three sweeps over the vectors where the
 * textbook loop makes six.
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
     * Solves A·x = b on the scalar reference kernels with a fresh workspace.
     *
     * @param a             SPD matrix (symmetry is not checked: PCG uses only products with A)
     * @param b             right-hand side, length n
     * @param x0            initial guess, or {@code null} for zero (not modified)
     * @param m             preconditioner (SPD), or {@code null} for none
     * @param tolerance     relative residual target ‖b − A·x‖₂/‖b‖₂, &gt; 0
     * @param maxIterations iteration budget, ≥ 0
     * @param monitor       called once per iteration, or {@code null}
     * @throws dev.kiln.solvers.problem.InvalidProblemException on mismatched shapes or invalid options
     */
    public static SolveReport solve(CsrMatrix a, double[] b, double[] x0, Preconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor) {
        SystemChecks.check(a, b, x0, tolerance, maxIterations);
        return run(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE, b, x0, m, tolerance, maxIterations,
                monitor, new Workspace(a.rows()));
    }

    /** As {@link #solve(CsrMatrix, double[], double[], Preconditioner, double, int, IterationMonitor)}, reusing {@code ws}. */
    public static SolveReport solve(CsrMatrix a, double[] b, double[] x0, Preconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor, Workspace ws) {
        SystemChecks.check(a, b, x0, tolerance, maxIterations);
        checkWorkspace(ws, a.rows());
        return run(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE, b, x0, m, tolerance, maxIterations, monitor, ws);
    }

    /**
     * Solves A·x = b on the given operator and kernels (a backend's fast path). The caller has
     * validated the problem at its edge; only the vector lengths and options are checked here.
     */
    public static SolveReport solve(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor, Workspace ws) {
        SystemChecks.check(a.rows(), b, x0, tolerance, maxIterations);
        if (ws == null) ws = new Workspace(a.rows());
        checkWorkspace(ws, a.rows());
        return run(a, k, b, x0, m, tolerance, maxIterations, monitor, ws);
    }

    private static void checkWorkspace(Workspace ws, int n) {
        if (ws == null || ws.size() != n) {
            throw new IllegalArgumentException("workspace size " + (ws == null ? "null" : ws.size()) + " does not match n=" + n);
        }
    }

    private static SolveReport run(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                   double tol, int maxIterations, IterationMonitor monitor, Workspace ws) {
        final int n = a.rows();
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        final double[] r = ws.r, z = ws.z, p = ws.p, q = ws.q;
        final double[] out = new double[2];
        // M = I: z is r itself (no copy); M diagonal: z = D⁻¹r inside the fused update.
        final boolean identity = m instanceof IdentityPreconditioner;
        final double[] invDiag = identity ? null : m.inverseDiagonal();
        final double[] zz = identity ? r : z;

        double[] x = new double[n];
        final double bnorm = k.norm2(n, b);
        if (bnorm == 0) return new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x);
        double rel;
        if (x0 != null) {
            k.copy(n, x0, x);
            a.residual(x, b, r);                      // r0 = b − A·x0
            rel = k.norm2(n, r) / bnorm;
        } else {
            // x0 = 0: r0 = b − A·0 is b bit for bit (every kernel's row sums start at +0 and a·0 is
            // ±0, so each sum is +0 and b_i − (+0) = b_i, −0 included), and ‖r0‖ is the ‖b‖ just
            // computed: no product, as PETSc's KSPSolve_CG copies b when the guess is zero. A
            // product of four on a 2-iteration solve (crystm01; docs/ARCHITECTURE.md issue 3,
            // "Small solves, fifth pass").
            k.copy(n, b, r);
            rel = bnorm / bnorm;                      // 1, or NaN as norm2(r)/‖b‖ was for an infinite ‖b‖
        }
        int it = 0;
        double lastRestartTrue = Double.POSITIVE_INFINITY;
        Termination end;
        // the true residual of the final x when the loop already computed it (a converged end):
        // recomputing it cost a product for nothing, a fifth of a 2-iteration solve's products
        double knownTrueRel = -1;
        if (!Double.isFinite(rel)) {
            end = Termination.DIVERGED;
        } else if (rel <= tol) {
            end = Termination.CONVERGED;              // r0 is the true residual
            knownTrueRel = rel;
        } else if (maxIterations == 0) {
            end = Termination.MAX_ITERATIONS;
        } else {
            if (!identity) m.apply(r, z);             // z0 = M⁻¹r0
            double rho = k.dot(n, r, zz);             // ρ0 = (r0, z0)
            k.copy(n, zz, p);                         // p0 = z0
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                double curvature = a.applyDot(p, q);  // q = A·p_j, (A p_j, p_j)
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double alpha = rho / curvature;       // α_j = (r_j, z_j)/(A p_j, p_j)
                // x_{j+1} = x_j + α_j p_j; r_{j+1} = r_j − α_j A p_j; z_{j+1} = D⁻¹r_{j+1} (Jacobi)
                k.cgUpdate(n, alpha, p, q, x, r, invDiag, z, out);
                it++;
                rel = Math.sqrt(out[1]) / bnorm;
                if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
                boolean proceed = monitor.proceed(it, rel);
                if (rel <= tol) {
                    a.residual(x, b, z);              // true residual, z as scratch
                    double trueRel = k.norm2(n, z) / bnorm;
                    if (trueRel <= tol) { end = Termination.CONVERGED; knownTrueRel = trueRel; break; }
                    // The recursive residual lied: replace it by the true one and restart.
                    k.copy(n, z, r);
                    rel = trueRel;
                    if (trueRel > RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                    lastRestartTrue = trueRel;
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                    if (!identity) m.apply(r, z);
                    rho = k.dot(n, r, zz);
                    k.copy(n, zz, p);
                    continue;
                }
                if (!proceed) { end = Termination.STOPPED; break; }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                double rhoNext;
                if (identity || invDiag != null) {
                    rhoNext = out[0];                 // (r_{j+1}, z_{j+1}) from the fused pass
                } else {
                    m.apply(r, z);                    // z_{j+1} = M⁻¹ r_{j+1}
                    rhoNext = k.dot(n, r, z);
                }
                double beta = rhoNext / rho;          // β_j = (r_{j+1}, z_{j+1})/(r_j, z_j)
                k.xpay(n, zz, beta, p);               // p_{j+1} = z_{j+1} + β_j p_j
                rho = rhoNext;
            }
        }
        // Report the true residual of the returned x, never the recursive one.
        double trueRel = knownTrueRel;
        if (trueRel < 0) {
            a.residual(x, b, z);
            trueRel = k.norm2(n, z) / bnorm;
        }
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        return new SolveReport(end, it, trueRel, rel, x);
    }
}
