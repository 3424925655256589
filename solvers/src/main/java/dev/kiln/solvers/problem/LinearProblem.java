package dev.kiln.solvers.problem;

import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * Solve A·x = b for square sparse A. {@code x0} is the initial guess, or {@code null} for
 * zero. Built through {@link #of}, which checks that the shapes agree and the numbers are
 * finite; the arrays are taken over and must not change afterwards.
 */
public record LinearProblem(CsrMatrix a, double[] b, double[] x0) implements Problem {

    public LinearProblem {
        if (a == null) throw new InvalidProblemException("matrix", "is missing");
        if (b == null) throw new InvalidProblemException("rhs", "is missing");
    }

    /** Validates shapes and finiteness; field names follow the wire format. */
    public static LinearProblem of(CsrMatrix a, double[] b, double[] x0) {
        if (a == null) throw new InvalidProblemException("problem.matrix", "is missing");
        if (!a.isSquare()) {
            throw new InvalidProblemException("problem.matrix", "must be square, was " + a.rows() + "x" + a.cols());
        }
        if (b == null) throw new InvalidProblemException("problem.rhs", "is missing");
        if (b.length != a.rows()) {
            throw new InvalidProblemException("problem.rhs", "length " + b.length + " does not match matrix rows " + a.rows());
        }
        checkFinite(b, "problem.rhs");
        if (x0 != null) {
            if (x0.length != a.cols()) {
                throw new InvalidProblemException("problem.x0", "length " + x0.length + " does not match matrix columns " + a.cols());
            }
            checkFinite(x0, "problem.x0");
        }
        return new LinearProblem(a, b, x0);
    }

    private static void checkFinite(double[] v, String field) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) throw new InvalidProblemException(field + "[" + i + "]", "is not finite (" + v[i] + ")");
        }
    }

    @Override
    public int size() { return a.rows(); }
}
