package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * Restarted GMRES(m) with right preconditioning (Saad, "Iterative Methods for Sparse Linear
 * Systems", 2nd ed., §6.5.3 Algorithm 6.9 with Givens rotations, §6.5.5 restarts, §9.3.2 right
 * preconditioning, so the residual it minimises is the true, unpreconditioned one). Arnoldi
 * uses modified Gram-Schmidt (Alg. 6.2). Written once above {@link KrylovKernels}.
 *
 * <p>Honest ends: a restart cycle that cuts the true residual by less than 1% is
 * {@link Termination#STAGNATED} (restarted GMRES on a singular or strongly non-normal system
 * can stall forever: Saad §6.5.5); a NaN is {@link Termination#DIVERGED}. The monitor sees the
 * residual estimate |g_{j+1}|/‖b‖ of every inner step. Allocates the m+1 basis vectors once.
 */
public final class Gmres {
    /** Saad's and PETSc's customary restart length (KSPGMRESSetRestart default 30). */
    public static final int DEFAULT_RESTART = 30;
    /** A cycle must cut the true residual to below this fraction of the previous one. */
    public static final double CYCLE_PROGRESS = 0.99;

    private Gmres() {}

    public static SolveReport solve(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                    int restart, double tol, int maxIterations, IterationMonitor monitor) {
        SystemChecks.check(a.rows(), b, x0, tol, maxIterations);
        if (restart < 1) throw new IllegalArgumentException("restart must be ≥ 1, was " + restart);
        final int n = a.rows();
        final int mm = Math.min(restart, n);
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        final boolean identity = m instanceof IdentityPreconditioner;
        double[] x = new double[n], r = new double[n], w = new double[n];
        double[] z = identity ? null : new double[n];
        double[][] v = new double[mm + 1][n];
        double[][] h = new double[mm + 1][mm];
        double[] cs = new double[mm], sn = new double[mm], g = new double[mm + 1], y = new double[mm];

        double bnorm = k.norm2(n, b);
        if (bnorm == 0) return new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x);
        if (x0 != null) k.copy(n, x0, x);
        a.residual(x, b, r);
        double beta = k.norm2(n, r);
        double rel = beta / bnorm;
        int it = 0;
        Termination end;
        if (!Double.isFinite(rel)) return BiCgStab.finish(a, k, b, x, r, bnorm, tol, Termination.DIVERGED, 0, rel);
        if (rel <= tol) return BiCgStab.finish(a, k, b, x, r, bnorm, tol, Termination.CONVERGED, 0, rel);
        if (maxIterations == 0) return BiCgStab.finish(a, k, b, x, r, bnorm, tol, Termination.MAX_ITERATIONS, 0, rel);

        outer:
        while (true) {
            java.util.Arrays.fill(g, 0);
            g[0] = beta;
            k.copy(n, r, v[0]);
            k.scale(n, 1 / beta, v[0]);
            int j = 0;
            boolean proceed = true;
            boolean happy = false;
            while (j < mm) {
                double[] pv = v[j];
                if (!identity) { m.apply(v[j], z); pv = z; }
                a.apply(pv, w);
                for (int i = 0; i <= j; i++) {       // modified Gram-Schmidt
                    double hij = k.dot(n, w, v[i]);
                    h[i][j] = hij;
                    k.axpy(n, -hij, v[i], w);
                }
                double hn = k.norm2(n, w);
                h[j + 1][j] = hn;
                for (int i = 0; i < j; i++) {        // apply the earlier rotations to column j
                    double t = cs[i] * h[i][j] + sn[i] * h[i + 1][j];
                    h[i + 1][j] = -sn[i] * h[i][j] + cs[i] * h[i + 1][j];
                    h[i][j] = t;
                }
                double den = Math.hypot(h[j][j], h[j + 1][j]);
                if (den == 0 || !Double.isFinite(den)) { end = den == 0 ? Termination.BREAKDOWN : Termination.DIVERGED; break outer; }
                cs[j] = h[j][j] / den;
                sn[j] = h[j + 1][j] / den;
                h[j][j] = den;
                h[j + 1][j] = 0;
                g[j + 1] = -sn[j] * g[j];
                g[j] = cs[j] * g[j];
                j++;
                it++;
                rel = Math.abs(g[j]) / bnorm;
                proceed = monitor.proceed(it, rel);
                if (rel <= tol || !proceed || it >= maxIterations) break;
                if (hn == 0) { happy = true; break; } // the Krylov space is invariant: x is exact in it
                k.copy(n, w, v[j]);
                k.scale(n, 1 / hn, v[j]);
            }
            // y = H⁻¹g (upper triangular j×j), x += M⁻¹ V y
            for (int i = j - 1; i >= 0; i--) {
                double s = g[i];
                for (int l = i + 1; l < j; l++) s -= h[i][l] * y[l];
                y[i] = s / h[i][i];
            }
            java.util.Arrays.fill(w, 0);
            for (int i = 0; i < j; i++) k.axpy(n, y[i], v[i], w);
            if (identity) k.axpy(n, 1, w, x);
            else { m.apply(w, z); k.axpy(n, 1, z, x); }
            a.residual(x, b, r);
            double newBeta = k.norm2(n, r);
            double trueRel = newBeta / bnorm;
            if (!Double.isFinite(trueRel)) { end = Termination.DIVERGED; break; }
            if (trueRel <= tol) { end = Termination.CONVERGED; break; }
            if (!proceed) { end = Termination.STOPPED; break; }
            if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
            if (newBeta > CYCLE_PROGRESS * beta) {
                end = happy ? Termination.BREAKDOWN : Termination.STAGNATED;
                break;
            }
            beta = newBeta;
            rel = trueRel;
        }
        return BiCgStab.finish(a, k, b, x, r, bnorm, tol, end, it, rel);
    }
}
