package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;

/**
 * Mixed-precision CG: the iteration runs with A and the vectors in fp32 (reductions in fp64), and
 * the solution and the residual that decides convergence are kept in fp64 — iterative refinement
 * (Moler, "Iterative refinement in floating point", J. ACM 14(2), 1967; Carson and Higham,
 * "Accelerating the solution of linear systems by iterative refinement in three precisions", SIAM
 * J. Sci. Comput. 40(2), 2018) done as <em>reliable updates</em> (Sleijpen and van der Vorst,
 * "Reliable updated residuals in hybrid Bi-CG methods", Computing 56, 1996; in mixed precision,
 * Clark et al., "Solving lattice QCD systems of equations using mixed precision solvers on GPUs",
 * Comput. Phys. Commun. 181, 2010, §V): the fp32 CG accumulates a correction d; whenever its
 * residual has fallen by {@link #RELIABLE_DELTA} since the last update, x ← x + d and r ← b − A·x
 * are formed in fp64, r is scaled to unit norm (so a residual of 1e-12 does not underflow fp32)
 * and rounded to fp32, and CG <em>goes on with its search direction</em>, rescaled. A restart at
 * each refinement instead (the textbook form) threw the Krylov space away: 51 % more iterations
 * than fp64 CG on Poisson 512² to 1e-10, 32 % with reliable updates (see {@link #RELIABLE_DELTA}).
 *
 * <p>A memory-bound CG iteration in fp32 moves about half the bytes of one in fp64. Refinement
 * converges while κ(A)·2⁻²⁴ stays well below 1 (Carson and Higham, §3); beyond that an update fails
 * to cut the true residual by {@link ConjugateGradient#RESTART_PROGRESS} and the solve ends
 * {@link Termination#STAGNATED} keeping the better x (an update is applied only when it lowers the
 * true residual, so a NaN from values outside fp32's range never reaches x) — callers continue in
 * fp64 from it. pᵀAp ≤ 0 in fp32 triggers an update and a fresh direction; if that update does not
 * help, the solve stagnates the same way. Memory: four fp64 and five fp32 vectors per solve.
 *
 * <p>Reports: iterations are fp32 CG iterations (one fp32 product each; every update adds one fp64
 * residual); the relative residual is the true fp64 one of the returned x. The monitor gets the
 * fp32 recursive residual times the last true one, an estimate of ‖b − A·x‖/‖b‖.
 */
public final class MixedPrecisionCg {
    /**
     * An update is made when the fp32 residual has fallen by this factor since the last one.
     * Measured (Jacobi-PCG, b = 1, to 1e-10; fp64 needs 1 077 iterations on Poisson 512² and 2 158 on
     * 1024²): δ = 0.5 took 1 419 and 2 936, 0.3 3 316 (1024²), 0.1 (QUDA's usual value, Clark et al.
     * 2010, §V) 1 472 and 4 106, 0.01 3 222 (512²); the restart form 1 629 and 3 347 at its best inner
     * reduction (1e-4). The ~30 extra fp64 products of δ = 0.5 cost far less than the iterations saved.
     */
    public static final double RELIABLE_DELTA = 0.5;

    private MixedPrecisionCg() {}

    /** The solve's report and how many fp64 refinements (reliable updates) it made. */
    public record Result(SolveReport report, int refinements) {}

    /**
     * Solves A·x = b. The fp64 pair ({@code a}, {@code k}) and the fp32 pair ({@code a32},
     * {@code k32}) must hold the same matrix; {@code invDiag32} is diag(A)⁻¹ in fp32 for Jacobi,
     * or null for none. Inputs are not checked (the caller validated the problem).
     */
    public static Result solve(SparseOperator a, KrylovKernels k, SparseOperatorFp32 a32, KrylovKernelsFp32 k32,
                               double[] b, double[] x0, float[] invDiag32, double tol, int maxIterations,
                               IterationMonitor monitor) {
        return solve(a, k, a32, k32, b, x0, invDiag32, tol, maxIterations, monitor, RELIABLE_DELTA);
    }

    /** As above, with a reliable update whenever the fp32 residual fell by {@code delta} (in (0, 1)) instead of {@link #RELIABLE_DELTA}. */
    public static Result solve(SparseOperator a, KrylovKernels k, SparseOperatorFp32 a32, KrylovKernelsFp32 k32,
                               double[] b, double[] x0, float[] invDiag32, double tol, int maxIterations,
                               IterationMonitor monitor, double delta) {
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
        int it = 0, updates = 0;
        Termination end;
        if (!Double.isFinite(rel)) {
            end = Termination.DIVERGED;                      // NaN or ∞ in A, b or x0
        } else if (rel <= tol) {
            end = Termination.CONVERGED;
        } else if (maxIterations == 0) {
            end = Termination.MAX_ITERATIONS;
        } else {
            // fp32 state: d (the correction since the last update) and r scaled by 1/s
            double s = rel * bnorm;
            double rho = rescale(r, 1.0 / s, rf, d, invDiag32, z, n, k32);
            System.arraycopy(z, 0, p, 0, n);
            while (true) {
                double curvature = a32.applyDot(p, q);
                boolean breakdown = !(curvature > 0) || !(rho > 0);      // or a NaN: the update below judges
                boolean proceed = true;
                double rr = 1;
                if (!breakdown) {
                    k32.cgUpdate(n, (float) (rho / curvature), p, q, d, rf, invDiag32, z, out);
                    it++;
                    rr = out[1];
                    proceed = monitor.proceed(it, Math.sqrt(rr) * rel);
                }
                boolean update = breakdown || !(Math.sqrt(rr) > delta) || Math.sqrt(rr) * rel <= tol || !proceed
                        || it >= maxIterations;
                if (!update) {
                    k32.xpay(n, z, (float) (out[0] / rho), p);           // p = z + βp, β = (r, z)_new / (r, z)
                    rho = out[0];
                    continue;
                }
                // reliable update: x + s·d and its true residual in fp64; kept only if that residual is smaller
                for (int i = 0; i < n; i++) xt[i] = x[i] + s * d[i];
                a.residual(xt, b, rt);
                double trial = k.norm2(n, rt) / bnorm;
                updates++;
                boolean progress = trial <= ConjugateGradient.RESTART_PROGRESS * rel;
                if (trial < rel) {
                    double[] t = x; x = xt; xt = t;
                    t = r; r = rt; rt = t;
                    rel = trial;
                }
                if (rel <= tol) { end = Termination.CONVERGED; break; }
                if (!proceed) { end = Termination.STOPPED; break; }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                if (!progress) { end = Termination.STAGNATED; break; }
                // carry the search direction over (no restart): in the new scale p is c·p, (r, z) was c²·(r, z)
                double c = s / (rel * bnorm);
                s = rel * bnorm;
                double rhoNew = rescale(r, 1.0 / s, rf, d, invDiag32, z, n, k32);
                if (breakdown) System.arraycopy(z, 0, p, 0, n);       // a direction fp32 could not use: start afresh
                else k32.xpay(n, z, (float) (rhoNew / (rho * c)), p);
                rho = rhoNew;
            }
        }
        return new Result(new SolveReport(end, it, rel, rel, x), updates);
    }

    /** rf = fp32(r·scale), d = 0, z = invDiag∘rf (z is rf without Jacobi); returns (rf, z) in fp64. */
    private static double rescale(double[] r, double scale, float[] rf, float[] d, float[] invDiag32, float[] z, int n,
                                  KrylovKernelsFp32 k32) {
        for (int i = 0; i < n; i++) {
            rf[i] = (float) (r[i] * scale);
            d[i] = 0f;
        }
        if (invDiag32 != null) for (int i = 0; i < n; i++) z[i] = rf[i] * invDiag32[i];
        return k32.dot(n, rf, z);
    }
}
