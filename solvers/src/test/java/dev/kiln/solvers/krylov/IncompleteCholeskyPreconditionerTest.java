package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factor against the textbook IC(0) on dense arrays (Saad §10.3.2), term for term. */
class IncompleteCholeskyPreconditionerTest {

    /**
     * IC(0) written out densely: l_ik = (a_ik − Σ_{j<k, (i,j),(k,j) in the pattern} l_ij·l_kj)/l_kk
     * for (i,k) in A's lower pattern, l_ii = sqrt(a_ii·(1+shift) − Σ l_ij²), sums in ascending j.
     */
    static double[][] textbook(CsrMatrix a, double shift) {
        int n = a.rows();
        boolean[][] p = new boolean[n][n];
        double[][] av = new double[n][n], l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int q = a.rowPtr()[i]; q < a.rowPtr()[i + 1]; q++) {
                p[i][a.colIdx()[q]] = true;
                av[i][a.colIdx()[q]] = a.values()[q];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < i; k++) {
                if (!p[i][k]) continue;
                double s = av[i][k];
                for (int j = 0; j < k; j++) if (p[i][j] && p[k][j]) s -= l[i][j] * l[k][j];
                l[i][k] = s / l[k][k];
            }
            double d = av[i][i] * (1 + shift);
            for (int j = 0; j < i; j++) if (p[i][j]) d -= l[i][j] * l[i][j];
            l[i][i] = Math.sqrt(d);
        }
        return l;
    }

    static void assertFactorIs(double[][] expected, IncompleteCholeskyPreconditioner ic) {
        IncompleteCholeskyPreconditioner.Factor f = ic.factor();
        int n = f.n(), entries = 0;
        for (int i = 0; i < n; i++) {
            for (int q = f.rowPtr()[i]; q < f.rowPtr()[i + 1]; q++, entries++) {
                int j = f.colIdx()[q];
                assertTrue(j < i && (q == f.rowPtr()[i] || f.colIdx()[q - 1] < j), "row " + i + ": strict lower, columns ascending");
                assertEquals(Double.doubleToLongBits(expected[i][j]), Double.doubleToLongBits(f.values()[q]),
                        "l(" + i + "," + j + ") " + f.values()[q] + " expected " + expected[i][j]);
            }
            assertEquals(Double.doubleToLongBits(expected[i][i]), Double.doubleToLongBits(f.diagonal()[i]), "l(" + i + "," + i + ")");
            assertEquals(1.0 / expected[i][i], f.inverseDiagonal()[i], "1/l(" + i + "," + i + ")");
        }
        assertTrue(entries > 0);
    }

    /** Symmetric, random pattern (rows share columns, so the sparse dots have terms), diagonally dominant. */
    static CsrMatrix randomSpd(int n, int perRow, long seed) {
        Random rnd = new Random(seed);
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < perRow; t++) {
                int j = rnd.nextInt(n);
                if (j == i) continue;
                double v = rnd.nextDouble() * 2 - 1;
                d[i][j] = v;
                d[j][i] = v;
            }
        }
        for (int i = 0; i < n; i++) {
            double s = 1;
            for (int j = 0; j < n; j++) if (j != i) s += Math.abs(d[i][j]);
            d[i][i] = s;
        }
        return dense(d);
    }

    static CsrMatrix dense(double[][] d) {
        int n = d.length, nnz = 0;
        for (double[] row : d) for (double v : row) if (v != 0) nnz++;
        int[] rp = new int[n + 1], ci = new int[nnz];
        double[] v = new double[nnz];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = 0; j < n; j++) if (d[i][j] != 0) { ci[k] = j; v[k++] = d[i][j]; }
            rp[i + 1] = k;
        }
        return CsrMatrix.of(n, n, rp, ci, v);
    }

    @Test
    void factorEqualsTheTextbookIc0BitForBit() {
        for (CsrMatrix a : new CsrMatrix[] {randomSpd(200, 4, 7), randomSpd(60, 12, 8), randomSpd(300, 20, 9), PoissonGenerator.poisson2d(9, 7),
                PoissonGenerator.poisson3d(4, 3, 5)}) {
            IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
            assertEquals(0.0, ic.shift(), a.toString());
            assertFactorIs(textbook(a, 0), ic);
        }
    }

    @Test
    void aBreakdownIsRetriedWithAShiftAndTheShiftedFactorIsTheTextbookOne() {
        // SPD (λ_min ≈ 0.53) but not an H-matrix: the plain IC(0) meets a negative pivot (found by
        // a search over small integer matrices with the textbook factorisation above)
        CsrMatrix a = dense(new double[][] {
                {5, 0, 0, 0, 0, 0}, {0, 5, 0, 1, 1, 0}, {0, 0, 5, -3, -3, 0},
                {0, 1, -3, 5, 0, -3}, {0, 1, -3, 0, 5, 3}, {0, 0, 0, -3, 3, 5}});
        assertTrue(Double.isNaN(textbook(a, 0)[5][5]), "the unshifted factorisation should break down");
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        assertTrue(ic.shift() > 0, "shift " + ic.shift());
        assertFactorIs(textbook(a, ic.shift()), ic);
    }

    @Test
    void aMissingOrNonPositiveDiagonalIsRejectedNamingTheRow() {
        // row 1 has entries left and right of its missing diagonal; row 2's diagonal is 0
        CsrMatrix missing = dense(new double[][] {{4, 1, 0}, {1, 0, 1}, {0, 1, 4}});
        var e = assertThrows(dev.kiln.solvers.problem.InvalidProblemException.class, () -> IncompleteCholeskyPreconditioner.of(missing));
        assertEquals("diagonal[1]", e.field());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        CsrMatrix lastMissing = dense(new double[][] {{4, 1}, {1, 0}});
        assertEquals("diagonal[1]", assertThrows(dev.kiln.solvers.problem.InvalidProblemException.class,
                () -> IncompleteCholeskyPreconditioner.of(lastMissing)).field());
        CsrMatrix negative = CsrMatrix.of(3, 3, new int[] {0, 1, 2, 3}, new int[] {0, 1, 2}, new double[] {1, 2, -3});
        var n = assertThrows(dev.kiln.solvers.problem.InvalidProblemException.class, () -> IncompleteCholeskyPreconditioner.of(negative));
        assertEquals("diagonal[2]", n.field());
        assertTrue(n.getMessage().contains("-3.0"), n.getMessage());
    }
    /**
     * The solves written out densely, as Saad §10.3.2 states them with the stored 1/l_ii: forward
     * y_i = (r_i − Σ_{j<i} l_ij·y_j)·(1/l_ii), j ascending; backward column by column, z_k ·=
     * 1/l_kk and then z_j −= l_kj·z_k for j &lt; k ascending, k descending — so each z_j takes its
     * updates by descending row.
     */
    static double[] textbookApply(IncompleteCholeskyPreconditioner.Factor f, double[] r) {
        int n = f.n();
        double[][] l = new double[n][n];
        boolean[][] p = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int q = f.rowPtr()[i]; q < f.rowPtr()[i + 1]; q++) {
                l[i][f.colIdx()[q]] = f.values()[q];
                p[i][f.colIdx()[q]] = true;
            }
        }
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double s = r[i];
            for (int j = 0; j < i; j++) if (p[i][j]) s -= l[i][j] * z[j];
            z[i] = s * f.inverseDiagonal()[i];
        }
        for (int k = n - 1; k >= 0; k--) {
            double zk = z[k] * f.inverseDiagonal()[k];
            z[k] = zk;
            for (int j = 0; j < k; j++) if (p[k][j]) z[j] -= l[k][j] * zk;
        }
        return z;
    }

    @Test
    void applyEqualsTheTextbookTriangularSolvesBitForBitWithOrWithoutTheCarriedPredecessor() {
        int carrying = 0, plain = 0;
        for (CsrMatrix a : new CsrMatrix[] {PoissonGenerator.poisson2d(9, 7), PoissonGenerator.poisson3d(4, 3, 5), banded(40, 3),
                randomSpd(200, 4, 7), randomSpd(300, 20, 9), banded(40, 5)}) {
            IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
            if (ic.carriesPredecessor()) carrying++;
            else plain++;
            int n = a.rows();
            Random rnd = new Random(n);
            double[] r = new double[n], z = new double[n];
            for (int i = 0; i < n; i++) r[i] = rnd.nextDouble() - 0.5;
            r[n / 2] = -0.0;
            double[] expected = textbookApply(ic.factor(), r);
            for (int rep = 0; rep < 2; rep++) {                 // nothing carried over between applies
                java.util.Arrays.fill(z, Double.NaN);
                ic.apply(r, z);
                for (int i = 0; i < n; i++) {
                    assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(z[i]),
                            a + " carrying " + ic.carriesPredecessor() + ": z[" + i + "] " + z[i] + " expected " + expected[i]);
                }
            }
        }
        assertEquals(3, carrying, "Poisson 2D, 3-D and the 3-band matrix carry");
        assertEquals(3, plain, "the random and the 5-band matrices do not");
    }

    @Test
    void thePredecessorIsCarriedOnShortRowsOfWhichAtLeastHalfAreChained() {
        // 2.0 and 2.9 strict-lower entries a row, nearly every row chained
        assertTrue(IncompleteCholeskyPreconditioner.of(PoissonGenerator.poisson2d(9, 7)).carriesPredecessor());
        assertTrue(IncompleteCholeskyPreconditioner.of(PoissonGenerator.poisson3d(4, 3, 5)).carriesPredecessor());
        // every row chained: 4 lower entries a row (less a few at the top) carry, 5 do not (CARRY_MAX_LOWER_PER_ROW)
        assertTrue(IncompleteCholeskyPreconditioner.of(banded(40, 4)).carriesPredecessor());
        assertFalse(IncompleteCholeskyPreconditioner.of(banded(40, 5)).carriesPredecessor());
        // short rows, chained in exactly half the rows k ≥ 1 (pairs, then a lone row: 1 of every 2 after row 0)
        assertTrue(IncompleteCholeskyPreconditioner.of(chainedEveryOther(41, true)).carriesPredecessor());
        // and just under half (CARRY_MIN_CHAINED_ROWS)
        assertFalse(IncompleteCholeskyPreconditioner.of(chainedEveryOther(41, false)).carriesPredecessor());
        // a random pattern: few rows hold l_{k,k−1}
        assertFalse(IncompleteCholeskyPreconditioner.of(randomSpd(200, 4, 7)).carriesPredecessor());
        // one row: nothing to carry
        assertFalse(IncompleteCholeskyPreconditioner.of(dense(new double[][] {{2}})).carriesPredecessor());
    }

    /** Symmetric, diagonally dominant, row i coupled to rows i−1 … i−w. */
    static CsrMatrix banded(int n, int w) {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            d[i][i] = 2 * w + 1;
            for (int j = Math.max(0, i - w); j < i; j++) d[i][j] = d[j][i] = -1;
        }
        return dense(d);
    }

    /**
     * n = 2m + 1 rows in m 2×2 blocks after a lone row 0: rows 2, 4, … are chained (m of n − 1 =
     * 2m, exactly half). {@code half} false drops the last block's coupling: m − 1 of 2m.
     */
    static CsrMatrix chainedEveryOther(int n, boolean half) {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) d[i][i] = 4;
        for (int i = 2; i < n; i += 2) if (half || i < n - 1) d[i][i - 1] = d[i - 1][i] = -1;
        return dense(d);
    }
}
