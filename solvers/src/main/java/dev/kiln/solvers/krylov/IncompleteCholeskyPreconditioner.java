package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

/**
 * IC(0): M = L·Lᵀ with L lower triangular on the sparsity of A's lower triangle (Saad,
 * "Iterative Methods for Sparse Linear Systems", 2nd ed., §10.3.2 — ILU(0) specialised to
 * symmetric A; Meijerink and van der Vorst, Math. Comp. 31, 1977).
 *
 * <p>IC(0) exists for M-matrices but may break down (a non-positive pivot) on other SPD
 * matrices. Then the factorisation is retried on A + α·diag(A) with α = 1e-3, 4e-3, ...
 * (Manteuffel, "An incomplete factorization technique for positive definite linear systems",
 * Math. Comp. 34, 1980), and {@link #shift()} reports the α used. A non-positive diagonal entry
 * of A itself is refused (A is then not SPD).
 *
 * <p>{@link #apply} is two sequential triangular solves (forward with L, backward with Lᵀ read
 * column-wise from L's rows), no allocation; each row multiplies by the stored 1/l_ii (a division
 * sat on the solve's row-to-row dependency chain), and on chained short rows the previous row's
 * result rides in a register ({@link Factor#carriesPredecessor}). This is the reference: a backend may run the
 * same {@link #factor()} level-scheduled over its cores (the CPU backend's
 * {@code LevelScheduledIc0}, tested equal to this bit for bit).
 */
public final class IncompleteCholeskyPreconditioner implements Preconditioner {
    /** Manteuffel's first shift; doubled (×4 here, to bound the retries) on each breakdown. */
    static final double FIRST_SHIFT = 1e-3;
    static final int MAX_SHIFTS = 8;

    private final Factor f;
    private final double shift;
    /** {@link Factor#carriesPredecessor}, decided once per factor. */
    private final boolean carry;

    private IncompleteCholeskyPreconditioner(Factor f, double shift) {
        this.f = f;
        this.shift = shift;
        this.carry = f.carriesPredecessor();
    }

    /**
     * The factor L: its strict lower part by rows ({@code rowPtr}, {@code colIdx}, {@code values};
     * columns ascending, as in A), l_ii in {@code diagonal} and 1/l_ii in {@code inverseDiagonal}
     * — the layout the triangular solves read, so a backend takes these arrays as they are.
     * Shared arrays: read only.
     */
    public record Factor(int n, int[] rowPtr, int[] colIdx, double[] values, double[] diagonal, double[] inverseDiagonal) {
        /**
         * Whether the triangular solves should carry the previous row's result in a register
         * ({@link #CARRY_MIN_CHAINED_ROWS}, {@link #CARRY_MAX_LOWER_PER_ROW}): rows short on
         * average and at least half of them holding l_{k,k−1} (their last entry: columns ascend).
         * One look at each row's last entry, none when the rows are long.
         */
        public boolean carriesPredecessor() {
            if (n < 2 || !(rowPtr[n] < CARRY_MAX_LOWER_PER_ROW * n)) return false;
            int chained = 0;
            for (int k = 1; k < n; k++) if (rowPtr[k + 1] > rowPtr[k] && colIdx[rowPtr[k + 1] - 1] == k - 1) chained++;
            return chained >= CARRY_MIN_CHAINED_ROWS * (n - 1);
        }
    }

    /**
     * Share of rows with l_{k,k−1} ≠ 0 from which the solves carry the previous row's result
     * ({@link Factor#carriesPredecessor}): the carrying loops pay a test per row, a loss where few
     * rows have the entry — 1138_bus (0.23 of rows) forward 2.8 → 3.2 µs, backward 3.3 → 4.3;
     * bcsstk08 (0.18) 5.4 → 5.9, 6.1 → 6.5; crystm01 (0) 36.5 → 37.7, 42.2 → 44.2 — and a gain
     * where nearly all do (Poisson 2D and 3-D, gr_30_30: 0.94–1.0). Measured here: a throwaway
     * copy of both solves in /tmp, one JVM per matrix, best of 2 000–3 000 interleaved rounds;
     * docs/ARCHITECTURE.md, issue 3, "IC(0) solve chains".
     */
    public static final double CARRY_MIN_CHAINED_ROWS = 0.5;
    /**
     * Mean strict-lower entries per row under which the solves carry: on long rows the row's own
     * chain of subtractions, not the wait for its predecessor, sets the pace, and the carry did
     * not pay there — nos3 (7.75 entries, 0.92 chained) 6.1 → 6.2 / 7.0 → 7.0 µs, bcsstk13 (20.4,
     * 0.68) forward 37.7–39.8 → 40.9–42.1 — against Poisson 2D 64² (2.0) 20.6 → 14.7 / 21.7 →
     * 14.8, 3-D 32³ (2.9) 164 → 121 / 178 → 138, gr_30_30 (3.8) 4.7 → 4.8 / 5.2 → 4.4–4.5 (same
     * probe). The CPU backend's own-order solve switches to its long-row loop copies at the same
     * mean ({@code LevelScheduledIc0Solve.LONG_ROWS}).
     */
    public static final double CARRY_MAX_LOWER_PER_ROW = 4;

    /** L and 1/diag(L), for a backend that runs the triangular solves its own way. */
    public Factor factor() { return f; }

    /** Factorises A (square, symmetric: only the lower triangle is read). */
    public static IncompleteCholeskyPreconditioner of(CsrMatrix a) {
        if (!a.isSquare()) throw new InvalidProblemException("matrix", "IC(0) needs a square matrix, was " + a.rows() + "x" + a.cols());
        int n = a.rows();
        int[] arp = a.rowPtr(), aci = a.colIdx();
        double[] av = a.values();
        // columns ascend within a row (CsrMatrix), so row i's strict lower triangle is the prefix
        // before its diagonal: found by one scan, its columns copied in bulk; its values are read
        // from A itself (entry q of L's row i is A's entry arp[i] + q − lp[i])
        int[] lp = new int[n + 1];
        double[] aDiag = new double[n];
        for (int i = 0; i < n; i++) {
            int q = arp[i], e = arp[i + 1];
            while (q < e && aci[q] < i) q++;
            if (q == e || aci[q] != i) throw new InvalidProblemException("diagonal[" + i + "]", "is missing: IC(0) needs a positive diagonal (the matrix is not SPD)");
            double dv = av[q];
            if (!(dv > 0)) throw new InvalidProblemException("diagonal[" + i + "]", "is " + dv + ": IC(0) needs a positive diagonal (the matrix is not SPD)");
            aDiag[i] = dv;
            lp[i + 1] = lp[i] + (q - arp[i]);
        }
        int[] lc = new int[lp[n]];
        for (int i = 0; i < n; i++) System.arraycopy(aci, arp[i], lc, lp[i], lp[i + 1] - lp[i]);
        double[] l = new double[lp[n]], diag = new double[n], w = new double[n];
        double shift = 0;
        for (int attempt = 0; attempt <= MAX_SHIFTS; attempt++) {
            if (factor(n, arp, av, aDiag, lp, lc, shift, l, diag, w)) {
                double[] inv = new double[n];
                for (int i = 0; i < n; i++) inv[i] = 1.0 / diag[i];
                return new IncompleteCholeskyPreconditioner(new Factor(n, lp, lc, l, diag, inv), shift);
            }
            shift = attempt == 0 ? FIRST_SHIFT : shift * 4;
        }
        throw new InvalidProblemException("matrix", "IC(0) broke down even with a diagonal shift of " + shift
                + ": the matrix is probably not SPD");
    }

    /**
     * Left-looking IC(0) on the pattern; false on a non-positive pivot. Row i's finished entries
     * are scattered into a dense work vector w (zero elsewhere), so l_ik = (a_ik − Σ_j l_ij·l_kj)
     * / l_kk runs down row k alone, w[j]·l_kj being zero where row i has no entry j: no merge of
     * two rows and none of its unpredictable comparisons. The same products are subtracted in the
     * same (ascending j) order as in a merge, so the factor is the merge's bit for bit (up to the
     * sign of an exact zero). The first entry of a row has no earlier entries, so its sum is
     * skipped. Measured (issue 3 in docs/ARCHITECTURE.md): 1.4–2.8× faster than the merge on the
     * finite-element matrices (crystm01 508 against 984 µs, bcsstk08 139 against 387, nos3 192
     * against 276), even on short rows (1138_bus, gr_30_30) and Poisson 2D 512² (within 5 %).
     * It writes L straight into the strict layout the solves read, a_ik from A's own arrays: the
     * copies of A's lower part and of L's strict part it replaced, and their allocation, cost as
     * much as the arithmetic on a 2-iteration solve (crystm01; issue 3, "Small solves, fourth pass").
     */
    private static boolean factor(int n, int[] arp, double[] av, double[] aDiag, int[] lp, int[] lc, double shift,
                                  double[] l, double[] diag, double[] w) {
        for (int i = 0; i < n; i++) {
            int start = lp[i], end = lp[i + 1], toA = arp[i] - start;
            for (int q = start; q < end; q++) {
                int k = lc[q];
                double s = av[q + toA];
                if (q > start) for (int p = lp[k], e = lp[k + 1]; p < e; p++) s -= w[lc[p]] * l[p];
                double lik = s / diag[k];
                l[q] = lik;
                w[k] = lik;
            }
            double d = aDiag[i] * (1 + shift);
            for (int q = start; q < end; q++) {
                d -= l[q] * l[q];
                w[lc[q]] = 0;
            }
            if (!(d > 0) || !Double.isFinite(d)) return false;
            diag[i] = Math.sqrt(d);
        }
        return true;
    }

    /** The α in A + α·diag(A) that made the factorisation succeed (0 when none was needed). */
    public double shift() { return shift; }

    /** Whether {@link #apply} runs the carrying loops: {@link Factor#carriesPredecessor}, taken once. */
    public boolean carriesPredecessor() { return carry; }

    @Override
    public void apply(double[] r, double[] z) {
        int n = f.n();
        int[] rowPtr = f.rowPtr(), colIdx = f.colIdx();
        double[] values = f.values(), inverseDiagonal = f.inverseDiagonal();
        if (carry) {
            forwardCarrying(n, rowPtr, colIdx, values, inverseDiagonal, r, z);
            backwardCarrying(n, rowPtr, colIdx, values, inverseDiagonal, z);
            return;
        }
        for (int i = 0; i < n; i++) {                 // L·y = r (y stored in z)
            double s = r[i];
            for (int q = rowPtr[i], e = rowPtr[i + 1]; q < e; q++) s -= values[q] * z[colIdx[q]];
            z[i] = s * inverseDiagonal[i];
        }
        for (int i = n - 1; i >= 0; i--) {            // Lᵀ·z = y, column i of Lᵀ is row i of L
            double zi = z[i] * inverseDiagonal[i];
            z[i] = zi;
            for (int q = rowPtr[i], e = rowPtr[i + 1]; q < e; q++) z[colIdx[q]] -= values[q] * zi;
        }
    }

    /**
     * L·y = r (y in z) with y_{i−1} kept in a register: row i's dependent term l_{i,i−1}·y_{i−1}
     * is its last (columns ascend), so it is taken from the register instead of reloaded from the
     * store just made, which takes the store-to-load forwarding off the row-to-row chain. Same
     * operations in the same order as the plain loop, so the same bits.
     */
    private static void forwardCarrying(int n, int[] rowPtr, int[] colIdx, double[] values, double[] inverseDiagonal,
                                        double[] r, double[] z) {
        double previous = 0;
        for (int i = 0; i < n; i++) {
            double s = r[i];
            int q = rowPtr[i], e = rowPtr[i + 1];
            if (e > q && colIdx[e - 1] == i - 1) {
                e--;
                for (; q < e; q++) s -= values[q] * z[colIdx[q]];
                s -= values[e] * previous;
            } else {
                for (; q < e; q++) s -= values[q] * z[colIdx[q]];
            }
            previous = s * inverseDiagonal[i];
            z[i] = previous;
        }
    }

    /**
     * Lᵀ·z = y column-wise with row i's update of z_{i−1} (l_{i,i−1}·z_i, the last update z_{i−1}
     * gets, rows running downwards) kept in a register and subtracted as row i−1 starts, instead
     * of stored and reloaded at once. Same operations in the same order, so the same bits.
     */
    private static void backwardCarrying(int n, int[] rowPtr, int[] colIdx, double[] values, double[] inverseDiagonal,
                                         double[] z) {
        boolean carried = false;
        double update = 0;
        for (int i = n - 1; i >= 0; i--) {
            double zi;
            if (carried) zi = (z[i] - update) * inverseDiagonal[i];
            else zi = z[i] * inverseDiagonal[i];
            z[i] = zi;
            int q = rowPtr[i], e = rowPtr[i + 1];
            carried = e > q && colIdx[e - 1] == i - 1;
            if (carried) {
                e--;
                update = values[e] * zi;
            }
            for (; q < e; q++) z[colIdx[q]] -= values[q] * zi;
        }
    }

    @Override
    public String name() { return "ic0"; }
}
