package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * BiCGSTAB for general (non-symmetric) A with right preconditioning (van der Vorst, "Bi-CGSTAB:
 * a fast and smoothly converging variant of Bi-CG", SIAM J. Sci. Stat. Comput. 13(2), 1992;
 * the preconditioned form of Barrett et al., "Templates for the Solution of Linear Systems",
 * SIAM 1994, §2.3.8), written once above {@link KrylovKernels}.
 *
 * <p>Honest ends: ρ = r̂ᵀr = 0 or ω = 0 is a {@link Termination#BREAKDOWN}; a residual that
 * grows past {@link #DIVERGENCE_FACTOR} times the initial one, or a NaN, is
 * {@link Termination#DIVERGED}; {@link #STAGNATION_WINDOW} iterations without cutting the best
 * residual by 1% is {@link Termination#STAGNATED}. Convergence of the recursive residual is
 * confirmed on the true one; if they disagree, the iteration restarts from the true residual
 * (as {@link ConjugateGradient} does). Allocates its eight work vectors once per solve.
 */
public final class BiCgStab {
    /** PETSc's default divergence tolerance dtol (KSPSetTolerances): ‖r‖ &gt; 1e5·‖r0‖ is divergence. */
    public static final double DIVERGENCE_FACTOR = 1e5;
    /** Iterations without a 1% improvement of the best residual before the solve is called stagnated. */
    public static final int STAGNATION_WINDOW = 1000;

    private BiCgStab() {}

    public static SolveReport solve(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                    double tol, int maxIterations, IterationMonitor monitor) {
        SystemChecks.check(a.rows(), b, x0, tol, maxIterations);
        final int n = a.rows();
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        final boolean identity = m instanceof IdentityPreconditioner;
        double[] x = new double[n], r = new double[n], rhat = new double[n], p = new double[n], v = new double[n];
        double[] s = new double[n], t = new double[n];
        double[] phat = identity ? p : new double[n];
        double[] shat = identity ? s : new double[n];

        double bnorm = k.norm2(n, b);
        if (bnorm == 0) return new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x);
        if (x0 != null) k.copy(n, x0, x);
        a.residual(x, b, r);
        double rel = k.norm2(n, r) / bnorm;
        final double rel0 = rel;
        double best = rel;
        int bestAt = 0;
        double lastRestartTrue = Double.POSITIVE_INFINITY;
        int it = 0;
        Termination end;
        if (!Double.isFinite(rel)) return finish(a, k, b, x, r, bnorm, tol, Termination.DIVERGED, 0, rel);
        if (rel <= tol) return finish(a, k, b, x, r, bnorm, tol, Termination.CONVERGED, 0, rel);
        if (maxIterations == 0) return finish(a, k, b, x, r, bnorm, tol, Termination.MAX_ITERATIONS, 0, rel);

        k.copy(n, r, rhat);
        double rhoPrev = 1, alpha = 1, omega = 1;
        boolean first = true;
        while (true) {
            double rho = k.dot(n, rhat, r);
            if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
            if (rho == 0) { end = Termination.BREAKDOWN; break; }
            if (first) {
                k.copy(n, r, p);
                first = false;
            } else {
                double beta = (rho / rhoPrev) * (alpha / omega);
                k.axpy(n, -omega, v, p);             // p = r + β(p − ω v)
                k.xpay(n, r, beta, p);
            }
            if (!identity) m.apply(p, phat);
            a.apply(phat, v);
            double rv = k.dot(n, rhat, v);
            if (rv == 0 || !Double.isFinite(rv)) { end = rv == 0 ? Termination.BREAKDOWN : Termination.DIVERGED; break; }
            alpha = rho / rv;
            k.copy(n, r, s);
            k.axpy(n, -alpha, v, s);                 // s = r − α v
            double srel = k.norm2(n, s) / bnorm;
            it++;
            boolean converged;
            if (srel <= tol) {
                k.axpy(n, alpha, phat, x);
                k.copy(n, s, r);
                rel = srel;
                converged = true;
            } else {
                if (!identity) m.apply(s, shat);
                a.apply(shat, t);
                double tt = k.dot(n, t, t);
                omega = tt == 0 ? 0 : k.dot(n, t, s) / tt;
                k.axpy(n, alpha, phat, x);
                k.axpy(n, omega, shat, x);           // x += α p̂ + ω ŝ
                k.copy(n, s, r);
                k.axpy(n, -omega, t, r);             // r = s − ω t
                rel = k.norm2(n, r) / bnorm;
                converged = rel <= tol;
            }
            rhoPrev = rho;
            if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
            if (rel > DIVERGENCE_FACTOR * rel0) { end = Termination.DIVERGED; break; }
            boolean proceed = monitor.proceed(it, rel);
            if (converged) {
                a.residual(x, b, s);
                double trueRel = k.norm2(n, s) / bnorm;
                if (trueRel <= tol) { end = Termination.CONVERGED; break; }
                k.copy(n, s, r);                     // residual replacement, then restart
                rel = trueRel;
                if (trueRel > ConjugateGradient.RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                lastRestartTrue = trueRel;
                k.copy(n, r, rhat);
                first = true;
                rhoPrev = alpha = omega = 1;
            } else if (omega == 0) {
                end = Termination.BREAKDOWN;
                break;
            }
            if (rel < 0.99 * best) { best = rel; bestAt = it; }
            else if (it - bestAt >= STAGNATION_WINDOW) { end = Termination.STAGNATED; break; }
            if (!proceed) { end = Termination.STOPPED; break; }
            if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
        }
        return finish(a, k, b, x, s, bnorm, tol, end, it, rel);
    }

    /** Reports the true residual of x (scratch: {@code work}), never the recursive one. */
    static SolveReport finish(SparseOperator a, KrylovKernels k, double[] b, double[] x, double[] work, double bnorm,
                              double tol, Termination end, int it, double rel) {
        a.residual(x, b, work);
        double trueRel = k.norm2(a.rows(), work) / bnorm;
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        if (end == Termination.CONVERGED && !(trueRel <= tol)) end = Termination.MAX_ITERATIONS;
        return new SolveReport(end, it, trueRel, rel, x);
    }
}
