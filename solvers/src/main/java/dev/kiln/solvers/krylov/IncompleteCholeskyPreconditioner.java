package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

import java.util.Arrays;

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
 * sat on the solve's row-to-row dependency chain). This is the reference: a backend may run the
 * same {@link #factor()} level-scheduled over its cores (the CPU backend's
 * {@code LevelScheduledIc0}, tested equal to this bit for bit).
 */
public final class IncompleteCholeskyPreconditioner implements Preconditioner {
    /** Manteuffel's first shift; doubled (×4 here, to bound the retries) on each breakdown. */
    static final double FIRST_SHIFT = 1e-3;
    static final int MAX_SHIFTS = 8;

    private final Factor f;
    private final double shift;

    private IncompleteCholeskyPreconditioner(Factor f, double shift) {
        this.f = f;
        this.shift = shift;
    }

    /**
     * The factor L, stored the two ways the triangular solves read it, both without the diagonal:
     * its strict lower part by rows ({@code rowPtr}, {@code colIdx}, {@code values}) and the same
     * entries by columns, i.e. Lᵀ's strict upper part by rows ({@code upperPtr}, {@code upperCol},
     * {@code upperValues}); columns ascend within every row of both. l_ii in {@code diagonal},
     * 1/l_ii in {@code inverseDiagonal}. Shared arrays: read only.
     */
    public record Factor(int n, int[] rowPtr, int[] colIdx, double[] values, int[] upperPtr, int[] upperCol,
                         double[] upperValues, double[] diagonal, double[] inverseDiagonal) {}

    /** L and 1/diag(L), for a backend that runs the triangular solves its own way. */
    public Factor factor() { return f; }

    /** Factorises A (square, symmetric: only the lower triangle is read). */
    public static IncompleteCholeskyPreconditioner of(CsrMatrix a) {
        if (!a.isSquare()) throw new InvalidProblemException("matrix", "IC(0) needs a square matrix, was " + a.rows() + "x" + a.cols());
        int n = a.rows();
        int[] arp = a.rowPtr(), aci = a.colIdx();
        double[] av = a.values();
        // columns ascend within a row (CsrMatrix), so row i's strict lower triangle is the prefix
        // before its diagonal: found by one scan and copied in bulk
        int[] lp = new int[n + 1];
        double[] aDiag = new double[n];
        int[] up = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int q = arp[i], e = arp[i + 1];
            while (q < e && aci[q] < i) q++;
            if (q == e || aci[q] != i) throw new InvalidProblemException("diagonal[" + i + "]", "is missing: IC(0) needs a positive diagonal (the matrix is not SPD)");
            double dv = av[q];
            if (!(dv > 0)) throw new InvalidProblemException("diagonal[" + i + "]", "is " + dv + ": IC(0) needs a positive diagonal (the matrix is not SPD)");
            aDiag[i] = dv;
            lp[i + 1] = lp[i] + (q - arp[i]);
            for (int t = arp[i]; t < q; t++) up[aci[t] + 1]++;
        }
        int strict = lp[n];
        int[] lc = new int[strict];
        for (int i = 0; i < n; i++) System.arraycopy(aci, arp[i], lc, lp[i], lp[i + 1] - lp[i]);
        for (int k = 0; k < n; k++) up[k + 1] += up[k];
        // Lᵀ's pattern by rows, holding a_ik at (k, i) to start with; rows i taken in ascending
        // order, so each row of Lᵀ lists its columns ascending
        int[] uc = new int[strict], next = Arrays.copyOf(up, n);
        double[] uBase = new double[strict];
        for (int i = 0; i < n; i++) {
            for (int t = arp[i], q = lp[i]; q < lp[i + 1]; t++, q++) {
                int o = next[lc[q]]++;
                uc[o] = i;
                uBase[o] = av[t];
            }
        }
        double[] u = new double[strict], l = new double[strict], diag = new double[n], w = new double[n];
        int[] lNext = new int[n];
        double shift = 0;
        for (int attempt = 0; attempt <= MAX_SHIFTS; attempt++) {
            if (factor(n, lp, lc, up, uc, uBase, aDiag, shift, u, l, diag, next, lNext, w)) {
                double[] inv = new double[n];
                for (int i = 0; i < n; i++) inv[i] = 1.0 / diag[i];
                return new IncompleteCholeskyPreconditioner(new Factor(n, lp, lc, l, up, uc, u, diag, inv), shift);
            }
            shift = attempt == 0 ? FIRST_SHIFT : shift * 4;
        }
        throw new InvalidProblemException("matrix", "IC(0) broke down even with a diagonal shift of " + shift
                + ": the matrix is probably not SPD");
    }

    /**
     * IC(0) on the pattern, up-looking over Lᵀ by rows (column k of L at step k); false on a
     * non-positive pivot. Step k scatters column k of A's lower part into a dense work vector w,
     * then for every i &lt; k with l_ki in the pattern (row k of L, ascending i) subtracts
     * l_ki·l_ji from w[j] for each l_ji below row k in column i of L (the rest of row i of Lᵀ,
     * found by a cursor per row that advances one entry per step) and l_ki² from the pivot; then
     * l_kk = √pivot and l_jk = w[j]/l_kk for j in the pattern, written to both layouts. Writes to
     * w outside column k's pattern are never read: each step overwrites its own pattern first
     * (PETSc's row-oriented Cholesky, {@code MatCholeskyFactorNumeric_SeqAIJ}, works so too).
     *
     * <p>Why: the inner loop is an axpy of independent updates, where the left-looking dot
     * l_ik = (a_ik − Σ_j l_ij·l_kj)/l_kk it replaces chained every product on the previous sum
     * and ran down all of row k whatever row i held. Each l_jk still subtracts the same products
     * (l_ki·l_ji, ascending i) in the same order from a_jk, and each pivot the same l_ki², so
     * the factor is the left-looking one's bit for bit (up to the sign of an exact zero);
     * {@code IncompleteCholeskyPreconditionerTest} pins it to the textbook IC(0). Measured
     * (docs/ARCHITECTURE.md, issue 3, "Small solves, fourth pass").
     */
    private static boolean factor(int n, int[] lp, int[] lc, int[] up, int[] uc, double[] uBase, double[] aDiag, double shift,
                                  double[] u, double[] l, double[] diag, int[] next, int[] lNext, double[] w) {
        System.arraycopy(up, 0, next, 0, n);
        System.arraycopy(lp, 0, lNext, 0, n);
        for (int k = 0; k < n; k++) {
            int us = up[k], ue = up[k + 1];
            for (int q = us; q < ue; q++) w[uc[q]] = uBase[q];
            double d = aDiag[k] * (1 + shift);
            for (int p = lp[k], pe = lp[k + 1]; p < pe; p++) {
                int i = lc[p];
                int c = next[i]++;                       // (i, k) in row i of Lᵀ: l_ki, final since step i
                double lki = u[c];
                d -= lki * lki;
                for (int q = c + 1, e = up[i + 1]; q < e; q++) w[uc[q]] -= lki * u[q];
            }
            if (!(d > 0) || !Double.isFinite(d)) return false;
            double lkk = Math.sqrt(d);
            diag[k] = lkk;
            for (int q = us; q < ue; q++) {
                int j = uc[q];
                double v = w[j] / lkk;
                u[q] = v;
                l[lNext[j]++] = v;
            }
        }
        return true;
    }

    /** The α in A + α·diag(A) that made the factorisation succeed (0 when none was needed). */
    public double shift() { return shift; }

    @Override
    public void apply(double[] r, double[] z) {
        int n = f.n();
        int[] rowPtr = f.rowPtr(), colIdx = f.colIdx();
        double[] values = f.values(), inverseDiagonal = f.inverseDiagonal();
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

    @Override
    public String name() { return "ic0"; }
}
