package dev.kiln.solvers.stationary;

import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
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
    /** a_ii, contiguous (vector passes read it per row; values[diagPos[i]] is a gather). */
    final double[] diagonal;
    /**
     * Whether the triangular sweeps carry the previous row's result in a register (see
     * {@link #carriesNeighbour}): true when at least half the rows hold a_{i,i−1} and rows are short.
     */
    final boolean carry;

    private SplitMatrix(CsrMatrix a, int[] diagPos, double[] diagonal, double[] inverseDiagonal, boolean carry) {
        this.n = a.rows();
        this.rowPtr = a.rowPtr();
        this.colIdx = a.colIdx();
        this.values = a.values();
        this.diagPos = diagPos;
        this.inverseDiagonal = inverseDiagonal;
        this.diagonal = diagonal;
        this.carry = carry;
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
        double[] diag = new double[n], inv = new double[n];
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
            diag[i] = d;
            inv[i] = r;
        }
        return new SplitMatrix(a, diagPos, diag, inv, carriesNeighbour(n, rowPtr, colIdx, diagPos));
    }

    /** As {@link #of(CsrMatrix)} with the sweep form forced (tests: both forms give the same bits). */
    static SplitMatrix of(CsrMatrix a, boolean carry) {
        SplitMatrix s = of(a);
        return new SplitMatrix(a, s.diagPos, s.diagonal, s.inverseDiagonal, carry);
    }

    /**
     * The rule for {@link #carry}. A triangular sweep is one dependent chain: row i waits for
     * y_{i−1} when a_{i,i−1} ≠ 0, and reloading y_{i−1} from the array it was just stored to puts
     * a store-to-load forwarding on that chain. Holding it in a register instead, behind a per-row
     * test for the neighbour, measured (standalone, best of 2000 solves, this VM's Xeon):
     * lower solve Poisson 64² 20.7 → 15.1 µs, bcsstk13 (68% of rows adjacent) 39.6 → 33.8, but
     * slower where few rows are adjacent (bcsstk08, 18%: 5.3 → 6.0; 1138_bus, 23%: 2.7 → 3.2;
     * crystm01, 0%: 42 → 52). Subtracting a_{i,i−1}·prev unconditionally (0 when absent) makes
     * every row wait for the previous one: 1138_bus 2.7 → 4.2. docs/ARCHITECTURE.md, issue 3.
     */
    static boolean carriesNeighbour(int n, int[] rowPtr, int[] colIdx, int[] diagPos) {
        int adjacent = 0;
        long lower = 0;
        for (int i = 1; i < n; i++) {
            int d = diagPos[i];
            lower += d - rowPtr[i];
            if (d > rowPtr[i] && colIdx[d - 1] == i - 1) adjacent++;
        }
        // IC(0)'s thresholds (measured on its solves), which held here too: on rows of 4 or more
        // lower entries the row's own subtractions set the pace, and the carrying loops, compiled
        // from grids' short rows (warm-up, Poisson), ran msc04515's 10.3-entry rows at 144–315 ms
        // a solve in the bench against 138–142 in a JVM of its own; the plain loops, 159–205
        return adjacent >= IncompleteCholeskyPreconditioner.CARRY_MIN_CHAINED_ROWS * n
                && lower < IncompleteCholeskyPreconditioner.CARRY_MAX_LOWER_PER_ROW * n;
    }

    public int size() { return n; }

    /** True when every diagonal entry is positive (needed for the SSOR preconditioner to be SPD). */
    public boolean positiveDiagonal() {
        for (double v : inverseDiagonal) if (!(v > 0)) return false;
        return true;
    }

    /**
     * One forward SOR sweep in place (Saad §4.1, eq. 4.8 in componentwise form):
     * x_i ← (1−ω)·x_i + ω·(b_i − Σ_{j&gt;i} a_ij x_j − Σ_{j&lt;i} a_ij x_j)/a_ii, rows 0..n−1, each using
     * the components already updated in this sweep. The old components (j &gt; i) are subtracted
     * first, so only the last subtraction, of x_{i−1}, waits for the previous row.
     */
    void forwardSweep(double omega, double[] b, double[] x) {
        for (int i = 0; i < n; i++) {
            double s = b[i];
            int d = diagPos[i];
            for (int k = d + 1, end = rowPtr[i + 1]; k < end; k++) s -= values[k] * x[colIdx[k]];
            for (int k = rowPtr[i]; k < d; k++) s -= values[k] * x[colIdx[k]];
            x[i] += omega * (s * inverseDiagonal[i] - x[i]);
        }
    }

    /**
     * The same sweep in reverse row order, n−1..0 (the second half of SSOR, Saad §4.1.2): the old
     * components (j &lt; i) first, then the new ones from the far end, so x_{i+1} comes last.
     */
    void backwardSweep(double omega, double[] b, double[] x) {
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            int d = diagPos[i];
            for (int k = rowPtr[i]; k < d; k++) s -= values[k] * x[colIdx[k]];
            for (int k = rowPtr[i + 1] - 1; k > d; k--) s -= values[k] * x[colIdx[k]];
            x[i] += omega * (s * inverseDiagonal[i] - x[i]);
        }
    }

    /**
     * Solves (D/ω + L)·y = r for y (forward substitution): y_i = (r_i − Σ_{j&lt;i} a_ij y_j)·(ω/a_ii),
     * summed in ascending j, so y_{i−1}, the term that waits for the previous row, comes last.
     */
    void lowerSolve(double omega, double[] r, double[] y) {
        if (carry) {
            double prev = 0;   // y_{i−1}, kept out of memory (see carriesNeighbour)
            for (int i = 0; i < n; i++) {
                double s = r[i];
                int d = diagPos[i], k = rowPtr[i];
                if (d > k && colIdx[d - 1] == i - 1) {
                    for (; k < d - 1; k++) s -= values[k] * y[colIdx[k]];
                    s -= values[d - 1] * prev;
                } else {
                    for (; k < d; k++) s -= values[k] * y[colIdx[k]];
                }
                prev = s * (omega * inverseDiagonal[i]);
                y[i] = prev;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            double s = r[i];
            for (int k = rowPtr[i], d = diagPos[i]; k < d; k++) s -= values[k] * y[colIdx[k]];
            y[i] = s * (omega * inverseDiagonal[i]);
        }
    }

    /**
     * Solves (D/ω + U)·z = v for z (backward substitution), summed in descending j so z_{i+1}, the
     * term that waits for the previous row, comes last (ascending order put every later term on
     * the chain: gr_30_30 5.9 → 4.5 µs, Poisson 64² 23.2 → 20.7 µs reversed).
     */
    void upperSolve(double omega, double[] v, double[] z) {
        if (carry) {
            double prev = 0;   // z_{i+1}
            for (int i = n - 1; i >= 0; i--) {
                double s = v[i];
                int d = diagPos[i], k = rowPtr[i + 1] - 1;
                if (k > d && colIdx[d + 1] == i + 1) {
                    for (; k > d + 1; k--) s -= values[k] * z[colIdx[k]];
                    s -= values[d + 1] * prev;
                } else {
                    for (; k > d; k--) s -= values[k] * z[colIdx[k]];
                }
                prev = s * (omega * inverseDiagonal[i]);
                z[i] = prev;
            }
            return;
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = v[i];
            for (int k = rowPtr[i + 1] - 1, d = diagPos[i]; k > d; k--) s -= values[k] * z[colIdx[k]];
            z[i] = s * (omega * inverseDiagonal[i]);
        }
    }

    /** a_ii. */
    double diagonal(int i) { return diagonal[i]; }
}
