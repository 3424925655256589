package dev.kiln.solvers.stationary;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

/**
 * A CSR matrix with the position of each row's diagonal entry, so a sweep can walk the strictly
 * lower part (entries before it), the diagonal, and the strictly upper part (entries after it)
 * of the splitting A = L + D + U (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
 * §4.1) without searching. Column indices are sorted within a row ({@link CsrMatrix}'s contract).
 *
 * <p>Built once per matrix; immutable; the arrays are shared with the matrix, not copied.
 */
public final class SplitMatrix {
    final int n;
    final int[] rowPtr;
    final int[] colIdx;
    final double[] values;
    /** Index into colIdx/values of a_ii. */
    final int[] diagPos;
    /** 1/a_ii. */
    final double[] inverseDiagonal;

    private SplitMatrix(CsrMatrix a, int[] diagPos, double[] inverseDiagonal) {
        this.n = a.rows();
        this.rowPtr = a.rowPtr();
        this.colIdx = a.colIdx();
        this.values = a.values();
        this.diagPos = diagPos;
        this.inverseDiagonal = inverseDiagonal;
    }

    /**
     * @throws InvalidProblemException when A is not square ({@code problem.matrix}) or a diagonal
     *         entry is missing or zero ({@code problem.matrix.diagonal[i]}): SOR divides by it
     */
    public static SplitMatrix of(CsrMatrix a) {
        if (!a.isSquare()) {
            throw new InvalidProblemException("problem.matrix", "SOR needs a square matrix, was " + a.rows() + "x" + a.cols());
        }
        int n = a.rows();
        int[] rowPtr = a.rowPtr(), colIdx = a.colIdx();
        double[] values = a.values();
        int[] diagPos = new int[n];
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) {
            int pos = -1;
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                if (colIdx[k] == i) { pos = k; break; }
            }
            double d = pos < 0 ? 0 : values[pos];
            double r = 1.0 / d;
            if (pos < 0 || d == 0 || !Double.isFinite(r)) {
                throw new InvalidProblemException("problem.matrix.diagonal[" + i + "]",
                        "is " + d + ": SOR and SSOR divide by every diagonal entry, so none may be zero");
            }
            diagPos[i] = pos;
            inv[i] = r;
        }
        return new SplitMatrix(a, diagPos, inv);
    }

    public int size() { return n; }

    /** True when every diagonal entry is positive (needed for the SSOR preconditioner to be SPD). */
    public boolean positiveDiagonal() {
        for (double v : inverseDiagonal) if (!(v > 0)) return false;
        return true;
    }

    /**
     * One forward SOR sweep in place (Saad §4.1, eq. 4.8 in componentwise form):
     * x_i ← (1−ω)·x_i + ω·(b_i − Σ_{j&lt;i} a_ij x_j − Σ_{j&gt;i} a_ij x_j)/a_ii, rows 0..n−1, each using
     * the components already updated in this sweep.
     */
    void forwardSweep(double omega, double[] b, double[] x) {
        for (int i = 0; i < n; i++) {
            double s = b[i];
            int d = diagPos[i];
            for (int k = rowPtr[i]; k < d; k++) s -= values[k] * x[colIdx[k]];
            for (int k = d + 1, end = rowPtr[i + 1]; k < end; k++) s -= values[k] * x[colIdx[k]];
            x[i] += omega * (s * inverseDiagonal[i] - x[i]);
        }
    }

    /** The same sweep in reverse row order, n−1..0 (the second half of SSOR, Saad §4.1.2). */
    void backwardSweep(double omega, double[] b, double[] x) {
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            int d = diagPos[i];
            for (int k = rowPtr[i]; k < d; k++) s -= values[k] * x[colIdx[k]];
            for (int k = d + 1, end = rowPtr[i + 1]; k < end; k++) s -= values[k] * x[colIdx[k]];
            x[i] += omega * (s * inverseDiagonal[i] - x[i]);
        }
    }

    /** Solves (D/ω + L)·y = r for y (forward substitution). */
    void lowerSolve(double omega, double[] r, double[] y) {
        for (int i = 0; i < n; i++) {
            double s = r[i];
            int d = diagPos[i];
            for (int k = rowPtr[i]; k < d; k++) s -= values[k] * y[colIdx[k]];
            y[i] = omega * s * inverseDiagonal[i];
        }
    }

    /** Solves (D/ω + U)·z = v for z (backward substitution). */
    void upperSolve(double omega, double[] v, double[] z) {
        for (int i = n - 1; i >= 0; i--) {
            double s = v[i];
            for (int k = diagPos[i] + 1, end = rowPtr[i + 1]; k < end; k++) s -= values[k] * z[colIdx[k]];
            z[i] = omega * s * inverseDiagonal[i];
        }
    }

    /** a_ii. */
    double diagonal(int i) { return values[diagPos[i]]; }
}
