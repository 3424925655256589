package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;

/**
 * Mixed-precision iterative refinement with CG as the inner solver: the residual r = b − A·x and
 * the solution x are kept in fp64, each correction A·d = r is solved approximately by (Jacobi-)CG
 * with A and the vectors in fp32 and the reductions in fp64, and x ← x + d (Moler, "Iterative
 * refinement in floating point", J. ACM 14(2), 1967; with a Krylov inner solver, Carson and
 * Higham, "Accelerating the solution of linear systems by iterative refinement in three
 * precisions", SIAM J. Sci. Comput. 40(2), 2018, Algorithm 1.1 with u_f = fp32, u = u_r = fp64).
 * A memory-bound CG iteration in fp32 moves about half the bytes of one in fp64; the price is a
 * restart of the Krylov space at every refinement.
 *
 * <p>Each inner solve starts from d = 0 on r scaled to unit norm (so a residual of 1e-12 does
 * not underflow fp32) and stops when its recursive residual fell by {@link #INNER_REDUCTION}, or
 * by what the outer tolerance still needs if that is less. Refinement converges while κ(A)·u32
 * stays well below 1 (Carson and Higham, §3); beyond that a refinement fails to cut the true
 * residual by {@link ConjugateGradient#RESTART_PROGRESS} and the solve ends
 * {@link Termination#STAGNATED} keeping the better x (a correction is applied only when it lowers
 * the true residual, so a NaN from values outside fp32's range never reaches x) — callers continue
 * in fp64 from it. The inner solve's own breakdowns (pᵀAp ≤ 0 in fp32) end the inner solve and
 * show up the same way. Memory: four fp64 and five fp32 vectors, allocated once per solve.
 *
 * <p>Reports: iterations are inner CG iterations (one fp32 product each; every refinement adds one
 * fp64 residual); the relative residual is the true fp64 one of the returned x. The monitor gets
 * the inner residual times the current outer one, an estimate of ‖b − A·x‖/‖b‖.
 */
public final class MixedPrecisionCg {
    /**
     * Reduction each inner solve aims for. Measured on Poisson 2D 512² and 1024² (b = 1, to 1e-10,
     * ./kiln bench cg): see docs/ARCHITECTURE.md for the sweep that chose it.
     */
    public static final double INNER_REDUCTION = 1e-4;

    private MixedPrecisionCg() {}

    /** The solve's report and how many fp64 refinements (inner solves) it took. */
    public record Result(SolveReport report, int refinements) {}

    /**
     * Solves A·x = b. The fp64 pair ({@code a}, {@code k}) and the fp32 pair ({@code a32},
     * {@code k32}) must hold the same matrix; {@code invDiag32} is diag(A)⁻¹ in fp32 for Jacobi,
     * or null for none. Inputs are not checked (the caller validated the problem).
     */
    public static Result solve(SparseOperator a, KrylovKernels k, SparseOperatorFp32 a32, KrylovKernelsFp32 k32,
                               double[] b, double[] x0, float[] invDiag32, double tol, int maxIterations,
                               IterationMonitor monitor) {
        return solve(a, k, a32, k32, b, x0, invDiag32, tol, maxIterations, monitor, INNER_REDUCTION);
    }

    /** As above, with each inner solve aiming for {@code innerReduction} (in (0, 1)) instead of {@link #INNER_REDUCTION}. */
    public static Result solve(SparseOperator a, KrylovKernels k, SparseOperatorFp32 a32, KrylovKernelsFp32 k32,
                               double[] b, double[] x0, float[] invDiag32, double tol, int maxIterations,
                               IterationMonitor monitor, double innerReduction) {
        int n = a.rows();
        if (monitor == null) monitor = IterationMonitor.NONE;
        double[] x = new double[n], r = new double[n], xt = new double[n], rt = new double[n];
        double bnorm = k.norm2(n, b);
        if (bnorm == 0) return new Result(new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x), 0);
        if (x0 != null) k.copy(n, x0, x);
        float[] rf = new float[n], d = new float[n], p = new float[n], q = new float[n];
        float[] z = invDiag32 == null ? rf : new float[n];
        double[] out = new double[2];

        a.residual(x, b, r);
        double rel = k.norm2(n, r) / bnorm;
        int it = 0, refinements = 0;
        boolean proceed = true;
        Termination end;
        while (true) {
            if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }     // NaN or ∞ in A, b or x0
            if (rel <= tol) { end = Termination.CONVERGED; break; }
            if (!proceed) { end = Termination.STOPPED; break; }
            if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
            double rnorm = rel * bnorm;
            double scale = 1.0 / rnorm;
            for (int i = 0; i < n; i++) {
                rf[i] = (float) (r[i] * scale);
                d[i] = 0f;
            }
            double target = Math.max(innerReduction, 0.5 * tol / rel);

            // inner CG on A·d = r/‖r‖ in fp32 (Saad, 2nd ed., Algorithm 9.1)
            if (invDiag32 != null) for (int i = 0; i < n; i++) z[i] = rf[i] * invDiag32[i];
            double rho = k32.dot(n, rf, z);
            System.arraycopy(z, 0, p, 0, n);
            while (true) {
                double curvature = a32.applyDot(p, q);
                if (!(curvature > 0) || !(rho > 0)) break;            // breakdown or NaN: the outer check judges
                double alpha = rho / curvature;
                k32.cgUpdate(n, (float) alpha, p, q, d, rf, invDiag32, z, out);
                it++;
                double innerRel = Math.sqrt(out[1]);
                proceed = monitor.proceed(it, innerRel * rel);
                if (!(innerRel > target) || !proceed || it >= maxIterations) break;
                double beta = out[0] / rho;
                k32.xpay(n, z, (float) beta, p);
                rho = out[0];
            }

            // x + d, kept only if its true residual (fp64) is smaller
            for (int i = 0; i < n; i++) xt[i] = x[i] + rnorm * d[i];
            a.residual(xt, b, rt);
            double trial = k.norm2(n, rt) / bnorm;
            refinements++;
            boolean progress = trial <= ConjugateGradient.RESTART_PROGRESS * rel;
            if (trial < rel) {
                double[] t = x; x = xt; xt = t;
                t = r; r = rt; rt = t;
                rel = trial;
            }
            if (!progress && !(rel <= tol)) { end = Termination.STAGNATED; break; }
        }
        return new Result(new SolveReport(end, it, rel, rel, x), refinements);
    }
}
