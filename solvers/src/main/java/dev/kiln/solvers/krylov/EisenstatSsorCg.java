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
 * backward sweep with Û = D/ω + U and a forward sweep with L̂ = D/ω + L that also forms A·p —
 * where SpMV followed by the two SSOR solves reads it twice ({@link EisenstatSweeps}).
 *
 * <p>Variables, with E = D/ω and M = L̂E⁻¹Û (SSOR up to the scalar ω(2−ω), which changes no
 * iterate): the recursion runs on r̃ = E·L̂⁻¹·r, which is CG's residual for the split-preconditioned
 * system; the search direction is held as w = Û·p, so p = Û⁻¹w is the backward sweep's output t
 * and z = M⁻¹r = Û⁻¹r̃ is never formed; ρ = rᵀM⁻¹r = r̃ᵀE⁻¹r̃. The residual r = L̂E⁻¹r̃ that the
 * stopping test reads is derived, not updated beside r̃: updated separately the two drift apart
 * in floating point, and on 1138_bus the separate r stalled at 3e-11 while CG went on (then blew
 * up), so a tolerance below that was never claimed and the stagnation test never ran. Derived, it
 * falls with r̃ as PCG's recursive residual does. It comes out of the next iteration's forward
 * sweep, so a converged solve pays one pair of sweeps it throws away.
 *
 * <p>Stopping, residual replacement, breakdown and the report follow {@link ConjugateGradient}
 * exactly: the recursive ‖r‖ is tested, a claimed convergence is checked against b − A·x on
 * {@code a}, and the reported residual is always the true one.
 *
 * <p>Memory: five work vectors allocated per solve; nothing inside the loop. Runs on the
 * caller's thread; stateless.
 */
public final class EisenstatSsorCg {
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
        // sv is the forward sweep's s, and scratch for a true residual between sweeps
        final double[] rTilde = new double[n], y = new double[n], w = new double[n], t = new double[n], sv = new double[n];
        final double[] out = new double[2];
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
            double beta = 0;
            // x_it's residual comes out of the next iteration's forward sweep: tested there
            boolean untested = false;
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                EisenstatSweeps.backward(split, omega, rTilde, beta, w, t);        // w = r̃ + βw; p = t = Û⁻¹w
                EisenstatSweeps.forward(split, omega, w, t, sv, rTilde, y, out);   // pᵀAp; ‖r(x_it)‖²
                if (untested) {
                    untested = false;
                    rel = Math.sqrt(out[1]) / bnorm;
                    if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
                    boolean proceed = monitor.proceed(it, rel);
                    if (rel <= tol) {
                        a.residual(x, b, sv);         // true residual; this iteration's sweeps are dropped
                        double trueRel = ScalarKernels.norm2(n, sv) / bnorm;
                        if (trueRel <= tol) { end = Termination.CONVERGED; knownTrueRel = trueRel; break; }
                        rel = trueRel;                // the recursive residual lied: replace and restart
                        if (trueRel > ConjugateGradient.RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                        lastRestartTrue = trueRel;
                        if (!proceed) { end = Termination.STOPPED; break; }
                        if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                        rho = EisenstatSweeps.start(split, omega, sv, rTilde, y);
                        beta = 0;
                        continue;
                    }
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                }
                double curvature = out[0];
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double alpha = rho / curvature;
                double rhoNext = EisenstatSweeps.update(split, omega, alpha, t, sv, x, rTilde, y);
                it++;
                untested = true;
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
