package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factorisation ({@link IncompleteCholeskyPreconditioner#factor}, whose dots skip the entries
 * of row k before row i's first column) against the untrimmed loop it replaced, bit for bit, on
 * generated and real matrices with and without a Manteuffel shift.
 */
class Ic0TrimmedDotTest {

    /** The loop before the sixth pass: every dot runs down the whole of row k. */
    static boolean untrimmed(int n, int[] arp, double[] av, double[] aDiag, int[] lp, int[] lc, double shift,
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

    static CsrMatrix fixture(String name) throws IOException {
        try (InputStream in = Ic0TrimmedDotTest.class.getResourceAsStream("/matrices/" + name + ".mtx")) {
            assertNotNull(in, "fixture " + name);
            return MatrixMarketReader.read(in);
        }
    }

    /**
     * n×n symmetric, each row coupled to {@code perRow} random others within 40 rows (rows of varied
     * length that share columns, as an assembled mesh's), entries of both signs and a diagonal of
     * {@code dominance} × its row's off-diagonal sum + 1: IC(0) breaks down without a shift when
     * that is small.
     */
    static CsrMatrix randomSymmetric(int n, int perRow, double dominance, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cap = 2 * n * perRow + n;
        int[] r = new int[cap], c = new int[cap];
        double[] v = new double[cap], off = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < perRow; t++) {
                int j = rnd.nextInt(Math.max(0, i - 40), Math.min(n, i + 41));
                if (j == i) continue;
                double x = rnd.nextDouble() * 2 - 1;
                r[k] = i; c[k] = j; v[k++] = x;
                r[k] = j; c[k] = i; v[k++] = x;
                off[i] += Math.abs(x);
                off[j] += Math.abs(x);
            }
        }
        for (int i = 0; i < n; i++) { r[k] = i; c[k] = i; v[k++] = dominance * off[i] + 1; }
        return CooAssembler.fromCoo(n, n, Arrays.copyOf(r, k), Arrays.copyOf(c, k), Arrays.copyOf(v, k));
    }

    /** A's lower part as {@code of} splits it, both forms run through of's shift sequence; the shift they ended at. */
    private static double assertSameFactor(String name, CsrMatrix a) {
        int n = a.rows();
        int[] arp = a.rowPtr(), aci = a.colIdx();
        double[] av = a.values(), aDiag = new double[n];
        int[] lp = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int q = arp[i];
            while (aci[q] < i) q++;
            aDiag[i] = av[q];
            lp[i + 1] = lp[i] + (q - arp[i]);
        }
        int[] lc = new int[lp[n]];
        for (int i = 0; i < n; i++) System.arraycopy(aci, arp[i], lc, lp[i], lp[i + 1] - lp[i]);
        double[] l1 = new double[lp[n]], d1 = new double[n], w1 = new double[n];
        double[] l2 = new double[lp[n]], d2 = new double[n], w2 = new double[n];
        double shift = 0;
        for (int attempt = 0; ; attempt++) {
            boolean ok = untrimmed(n, arp, av, aDiag, lp, lc, shift, l1, d1, w1);
            assertEquals(ok, IncompleteCholeskyPreconditioner.factor(n, arp, av, aDiag, lp, lc, shift, l2, d2, w2),
                    name + ": outcome at shift " + shift);
            if (ok) break;
            assertTrue(attempt < IncompleteCholeskyPreconditioner.MAX_SHIFTS, name + " never factorised");
            shift = attempt == 0 ? IncompleteCholeskyPreconditioner.FIRST_SHIFT : shift * 4;
        }
        for (int q = 0; q < l1.length; q++) assertEquals(Double.doubleToRawLongBits(l1[q]), Double.doubleToRawLongBits(l2[q]), name + ": entry " + q);
        for (int i = 0; i < n; i++) assertEquals(Double.doubleToRawLongBits(d1[i]), Double.doubleToRawLongBits(d2[i]), name + ": diagonal " + i);
        // and of() returns that factor
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        assertEquals(shift, ic.shift(), name);
        assertTrue(Arrays.equals(l1, ic.factor().values()) && Arrays.equals(d1, ic.factor().diagonal()), name);
        return shift;
    }

    @Test
    void theTrimmedDotsGiveTheUntrimmedFactorBitForBitOnGeneratedAndRealMatrices() throws IOException {
        List<CsrMatrix> generated = List.of(PoissonGenerator.poisson2d(40, 30), PoissonGenerator.poisson3d(12, 10, 9),
                randomSymmetric(3000, 6, 1.0, 1), randomSymmetric(2000, 12, 0.5, 2), randomSymmetric(1500, 20, 0.2, 3),
                randomSymmetric(1000, 8, 0.05, 4), CooAssembler.fromCoo(1, 1, new int[] {0}, new int[] {0}, new double[] {2}));
        int shifted = 0;
        for (int m = 0; m < generated.size(); m++) {
            CsrMatrix a = generated.get(m);
            if (assertSameFactor("generated " + m, a) > 0) shifted++;
        }
        for (String name : List.of("nos3", "gr_30_30", "1138_bus")) {
            CsrMatrix a = fixture(name);
            if (assertSameFactor(name, a) > 0) shifted++;
        }
        assertTrue(shifted >= 2, "cases that needed a shift: " + shifted);
    }
}
