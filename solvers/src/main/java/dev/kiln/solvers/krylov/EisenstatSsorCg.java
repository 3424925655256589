package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.stationary.EisenstatSweeps;
import dev.kiln.solvers.stationary.SplitMatrix;

/**
 * SSOR-preconditioned CG with Eisenstat's trick (SIAM J. Sci. Stat. Comput. 2(1), 1981; PETSc's
 * PCEISENSTAT is the same idea): the iterates of {@link ConjugateGradient} with
 * {@link SsorPreconditioner} in exact arithmetic, but each iteration reads the matrix once — a
 * backward sweep with Û = D/ω + U and a forward sweep with L̂ = D/ω + L that also yields pᵀAp —
 * where SpMV followed by the two SSOR solves reads it twice ({@link EisenstatSweeps}).
 *
 * <p>Variables, with E = D/ω and M = L̂E⁻¹Û (SSOR up to the scalar ω(2−ω), which changes no
 * iterate): the recursion runs on r̃ = E·L̂⁻¹·r, CG's residual for the split-preconditioned
 * system; the search direction is held as w = Û·p, so p = Û⁻¹w is the backward sweep's output t
 * and z = M⁻¹r = Û⁻¹r̃ is never formed; ρ = rᵀM⁻¹r = r̃ᵀE⁻¹r̃.
 *
 * <p>Stopping. The true-space residual r is not carried: updated beside r̃ the two drift apart in
 * floating point (on 1138_bus a separately updated r stalled at 3e-11 while CG went on, so a
 * tighter tolerance was never claimed and the stagnation test never ran), and derived from r̃ each
 * iteration (r = r̃ + L·E⁻¹r̃) it doubles the forward sweep's gathers, which made the solve no
 * faster than SpMV plus SSOR on cache-resident matrices (measured, docs/ARCHITECTURE.md issue 3).
 * Instead ‖r‖ is estimated as c·√ρ, with c = ‖b − A·x‖/√ρ taken at the last true residual, which
 * is computed on {@code a} (the backend's fast product) every {@link #RECALIBRATE_EVERY}
 * iterations and whenever the estimate is within {@link #CHECK_MARGIN} of the tolerance. The solve
 * ends only on a true residual ≤ tol. When the residual r̃ stands for (r̃ + L·E⁻¹r̃, computed at
 * every check that fails) is already ≤ tol, the recursion has drifted from b − A·x: the true
 * residual replaces it and CG restarts, with {@link ConjugateGradient}'s stagnation rule; otherwise
 * the estimate was merely early and CG goes on. (At the periodic checks too: there c is reset to
 * the stagnating true residual, so the estimate alone would never come near a tolerance below
 * what fp64 attains.) The monitor sees the estimate between checks, the
 * true residual at them; the report's residual is always the true one.
 *
 * <p>Breakdown: ρ ≤ 0 or pᵀAp ≤ 0 ends with {@link Termination#NOT_SPD}, a non-finite value with
 * {@link Termination#DIVERGED}, as in {@link ConjugateGradient}.
 *
 * <p>Memory: five work vectors allocated per solve; nothing inside the loop. Runs on the
 * caller's thread; stateless.
 */
public final class EisenstatSsorCg {
    /**
     * The true residual is computed when the estimate c·√ρ/‖b‖ is within this factor of the
     * tolerance. c moved by up to about 2× between neighbouring iterations on bcsstk08 (the
     * widest of the shared matrices; 1.4–1.8 on Poisson, nos3, gr_30_30): a margin of 2 rarely lets
     * an estimate that runs high carry the solve past the iteration where it met tol.
     */
    public static final double CHECK_MARGIN = 2;

    /**
     * c is refreshed at least this often: one product with A per 16 iterations, a few per cent of
     * the solve, keeps the estimate the monitor reports honest while c drifts (bcsstk13: 21× to
     * 250× its start over 519 iterations).
     */
    public static final int RECALIBRATE_EVERY = 16;

    private EisenstatSsorCg() {}

    /** Solves A·x = b on the scalar reference operator (tests, and the reference for backends). */
    public static SolveReport solve(CsrMatrix a, double[] b, double[] x0, SsorPreconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor) {
        SystemChecks.check(a, b, x0, tolerance, maxIterations);
        return run(new ScalarCsrOperator(a), m.split(), m.omega(), b, x0, tolerance, maxIterations, monitor);
    }

    /**
     * Solves A·x = b with {@code a} for the true residuals (a backend's fast operator) and
     * {@code m}'s split for the sweeps; {@code a} and {@code m} must describe the same matrix.
     */
    public static SolveReport solve(SparseOperator a, double[] b, double[] x0, SsorPreconditioner m,
                                    double tolerance, int maxIterations, IterationMonitor monitor) {
        SystemChecks.check(a.rows(), b, x0, tolerance, maxIterations);
        if (m.split().size() != a.rows()) {
            throw new IllegalArgumentException("preconditioner size " + m.split().size() + " does not match n=" + a.rows());
        }
        return run(a, m.split(), m.omega(), b, x0, tolerance, maxIterations, monitor);
    }

    private static SolveReport run(SparseOperator a, SplitMatrix split, double omega, double[] b, double[] x0,
                                   double tol, int maxIterations, IterationMonitor monitor) {
        final int n = a.rows();
        if (monitor == null) monitor = IterationMonitor.NONE;
        // sv is the forward sweep's s, and holds a true residual between sweeps
        final double[] rTilde = new double[n], y = new double[n], w = new double[n], t = new double[n], sv = new double[n];
        double[] x = new double[n];
        final double bnorm = ScalarKernels.norm2(n, b);
        if (bnorm == 0) return new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x);
        double rel;
        if (x0 != null) {
            System.arraycopy(x0, 0, x, 0, n);
            a.residual(x, b, sv);
            rel = ScalarKernels.norm2(n, sv) / bnorm;
        } else {
            System.arraycopy(b, 0, sv, 0, n);         // r0 = b bit for bit (ConjugateGradient's note)
            rel = bnorm / bnorm;
        }
        int it = 0;
        double lastRestartTrue = Double.POSITIVE_INFINITY;
        double knownTrueRel = -1;
        Termination end;
        if (!Double.isFinite(rel)) {
            end = Termination.DIVERGED;
        } else if (rel <= tol) {
            end = Termination.CONVERGED;
            knownTrueRel = rel;
        } else if (maxIterations == 0) {
            end = Termination.MAX_ITERATIONS;
        } else {
            double rho = EisenstatSweeps.start(split, omega, sv, rTilde, y);    // ρ0 = r0ᵀM⁻¹r0, w0 = r̃0
            double c = rel * bnorm / Math.sqrt(rho);                            // ‖r‖ ≈ c·√ρ
            double beta = 0;
            int sinceTrue = 0;
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                EisenstatSweeps.backward(split, omega, rTilde, beta, w, t);      // w = r̃ + βw; p = t = Û⁻¹w
                double curvature = EisenstatSweeps.forward(split, omega, w, t, sv);   // pᵀAp
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double rhoNext = EisenstatSweeps.update(split, omega, rho / curvature, t, sv, x, rTilde, y);
                it++;
                sinceTrue++;
                double estimate = c * Math.sqrt(rhoNext) / bnorm;
                if (!Double.isFinite(estimate)) { rel = estimate; end = Termination.DIVERGED; break; }
                boolean nearTol = estimate <= CHECK_MARGIN * tol;
                if (nearTol || sinceTrue >= RECALIBRATE_EVERY) {
                    a.residual(x, b, sv);             // the true residual of x_it
                    double trueNorm = ScalarKernels.norm2(n, sv);
                    rel = trueNorm / bnorm;
                    sinceTrue = 0;
                    if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
                    boolean proceed = monitor.proceed(it, rel);
                    if (rel <= tol) { end = Termination.CONVERGED; knownTrueRel = rel; break; }
                    c = trueNorm / Math.sqrt(rhoNext);
                    if (Math.sqrt(EisenstatSweeps.derivedResidualNorm2(split, rTilde, y)) / bnorm <= tol) {
                        // the recursion claims convergence, b − A·x does not: replace and restart
                        if (rel > ConjugateGradient.RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                        lastRestartTrue = rel;
                        if (!proceed) { end = Termination.STOPPED; break; }
                        if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                        rho = EisenstatSweeps.start(split, omega, sv, rTilde, y);
                        c = trueNorm / Math.sqrt(rho);
                        beta = 0;
                        continue;
                    }
                    if (!proceed) { end = Termination.STOPPED; break; }
                } else {
                    rel = estimate;
                    if (!monitor.proceed(it, rel)) { end = Termination.STOPPED; break; }
                }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                beta = rhoNext / rho;
                rho = rhoNext;
            }
        }
        double trueRel = knownTrueRel;
        if (trueRel < 0) {
            a.residual(x, b, sv);
            trueRel = ScalarKernels.norm2(n, sv) / bnorm;
        }
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        return new SolveReport(end, it, trueRel, rel, x);
    }
}
