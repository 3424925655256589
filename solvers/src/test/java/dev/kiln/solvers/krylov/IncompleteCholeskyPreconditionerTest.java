package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
