package dev.kiln.solvers.stationary;

import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

import static dev.kiln.solvers.kernel.ScalarKernels.copy;
import static dev.kiln.solvers.kernel.ScalarKernels.norm2;
import static dev.kiln.solvers.kernel.ScalarKernels.residual;

/**
 * Successive over-relaxation and its symmetric variant as stand-alone solvers (Saad, "Iterative
 * Methods for Sparse Linear Systems", 2nd ed., §4.1: SOR eq. 4.8, SSOR §4.1.2), on the scalar
 * kernels. SOR converges for SPD A iff 0 &lt; ω &lt; 2 (Ostrowski–Reich, Saad Thm. 4.10); how fast
 * depends sharply on ω, which is why Kiln learns it per family ("Learning to Relax", Khodak,
 * Chow, Balcan and Talwalkar, ICLR 2024, §2: the cost of an instance is the number of sweeps to
 * reach the relative residual).
 *
 * <p>Stopping: after every sweep the true residual b − A·x is computed (one product with A) and
 * the solve stops when ‖b − A·x‖₂/‖b‖₂ ≤ tol; the reported residual is that true one. Counting
 * the paper's way: one SOR iteration is one sweep; one SSOR iteration is a forward plus a
 * backward sweep. Inconsistent systems end as {@link StationaryTermination#INCONSISTENT} with a
 * certificate ({@link InconsistencyDetector}); growth of the residual by {@link #DIVERGENCE}
 * over its start, or a non-finite value, ends as DIVERGED.
 *
 * <p>Allocation: x, one work vector and the detector's two vectors per solve; none in the loop.
 * Stateless and thread-safe.
 */
public final class RelaxationSolver {
    /** A residual this many times the initial one means the iteration diverges (ω outside (0,2) or A not SPD). */
    public static final double DIVERGENCE = 1e12;

    /** SOR (forward sweeps) or SSOR (forward then backward). */
    public enum Sweep { SOR, SSOR }

    private RelaxationSolver() {}

    /**
     * Solves A·x = b.
     *
     * @param a             square matrix with a nonzero diagonal
     * @param b             right-hand side
     * @param x0            initial guess or {@code null} for zero (not modified)
     * @param sweep         SOR or SSOR
     * @param omega         relaxation factor in (0, 2)
     * @param tolerance     relative residual target, &gt; 0
     * @param maxIterations iteration budget, ≥ 0
     * @param monitor       per-iteration hook or {@code null}
     * @throws InvalidProblemException naming the field on bad shapes or options
     */
    public static StationaryReport solve(CsrMatrix a, double[] b, double[] x0, Sweep sweep, double omega,
                                         double tolerance, int maxIterations, IterationMonitor monitor) {
        if (a == null) throw new InvalidProblemException("problem.matrix", "is missing");
        if (b == null || b.length != a.rows()) {
            throw new InvalidProblemException("problem.rhs", "length " + (b == null ? "null" : b.length) + " does not match matrix rows " + a.rows());
        }
        if (x0 != null && x0.length != a.rows()) {
            throw new InvalidProblemException("problem.x0", "length " + x0.length + " does not match matrix rows " + a.rows());
        }
        return solve(SplitMatrix.of(a), b, x0, sweep, omega, tolerance, maxIterations, monitor);
    }

    /** As above on an already split matrix (callers solving many systems with one A split once). */
    public static StationaryReport solve(SplitMatrix s, double[] b, double[] x0, Sweep sweep, double omega,
                                         double tolerance, int maxIterations, IterationMonitor monitor) {
        if (!(omega > 0 && omega < 2)) {
            throw new InvalidProblemException("options.omega", "must be in (0, 2) for SOR/SSOR to converge, was " + omega);
        }
        if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
            throw new InvalidProblemException("options.tolerance", "must be positive and finite, was " + tolerance);
        }
        if (maxIterations < 0) throw new InvalidProblemException("options.maxIterations", "must not be negative, was " + maxIterations);
        if (monitor == null) monitor = IterationMonitor.NONE;
        final int n = s.n;
        double[] x = new double[n];
        double bnorm = norm2(n, b);
        if (bnorm == 0) return new StationaryReport(StationaryTermination.CONVERGED, 0, 0, Double.NaN, x);
        if (x0 != null) copy(n, x0, x);
        double[] work = new double[n];
        residual(n, s.rowPtr, s.colIdx, s.values, x, b, work);
        double rel = norm2(n, work) / bnorm;
        final double start = rel;
        InconsistencyDetector detector = new InconsistencyDetector(s);
        int it = 0;
        StationaryTermination end;
        double certificate = Double.NaN;
        while (true) {
            if (!Double.isFinite(rel) || rel > DIVERGENCE * Math.max(start, 1)) { end = StationaryTermination.DIVERGED; break; }
            if (rel <= tolerance) { end = StationaryTermination.CONVERGED; break; }
            if (it >= maxIterations) { end = StationaryTermination.MAX_ITERATIONS; break; }
            copy(n, x, work);                                   // work = x_k
            s.forwardSweep(omega, b, x);
            if (sweep == Sweep.SSOR) s.backwardSweep(omega, b, x);
            it++;
            for (int i = 0; i < n; i++) work[i] = x[i] - work[i]; // δ_k = x_{k+1} − x_k
            certificate = detector.offer(it, work, b, bnorm);
            residual(n, s.rowPtr, s.colIdx, s.values, x, b, work);
            rel = norm2(n, work) / bnorm;
            if (!Double.isNaN(certificate) && rel > tolerance) { end = StationaryTermination.INCONSISTENT; break; }
            if (!monitor.proceed(it, rel)) {
                end = rel <= tolerance ? StationaryTermination.CONVERGED : StationaryTermination.STOPPED;
                break;
            }
        }
        if (end != StationaryTermination.INCONSISTENT) certificate = Double.NaN;
        return new StationaryReport(end, it, rel, certificate, x);
    }
}
