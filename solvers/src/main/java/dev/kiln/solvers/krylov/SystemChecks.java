package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

/** The checks every Krylov solver makes once at its public entry, with the field each failure names. */
final class SystemChecks {
    private SystemChecks() {}

    static void check(CsrMatrix a, double[] b, double[] x0, double tolerance, int maxIterations) {
        if (a == null) throw new InvalidProblemException("problem.matrix", "is missing");
        if (!a.isSquare()) throw new InvalidProblemException("problem.matrix", "must be square, was " + a.rows() + "x" + a.cols());
        check(a.rows(), b, x0, tolerance, maxIterations);
    }

    static void check(int n, double[] b, double[] x0, double tolerance, int maxIterations) {
        if (b == null) throw new InvalidProblemException("problem.rhs", "is missing");
        if (b.length != n) {
            throw new InvalidProblemException("problem.rhs", "length " + b.length + " does not match matrix rows " + n);
        }
        if (x0 != null && x0.length != n) {
            throw new InvalidProblemException("problem.x0", "length " + x0.length + " does not match matrix rows " + n);
        }
        if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
            throw new InvalidProblemException("options.tolerance", "must be positive and finite, was " + tolerance);
        }
        if (maxIterations < 0) {
            throw new InvalidProblemException("options.maxIterations", "must not be negative, was " + maxIterations);
        }
    }
}
