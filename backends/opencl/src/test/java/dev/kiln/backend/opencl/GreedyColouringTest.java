package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The multicolour ordering on the host: valid colourings, red-black on stencils, a consistent permutation. */
class GreedyColouringTest {

    @Test
    void fivePointAndSevenPointStencilsGetTheRedBlackCheckerboard() {
        GreedyColouring c2 = GreedyColouring.of(PoissonGenerator.poisson2d(13, 7));
        assertEquals(2, c2.colours());
        assertEquals(46, c2.colourStart()[1]); // ⌈91 / 2⌉ red points, (i + j) even
        assertEquals(2, GreedyColouring.of(PoissonGenerator.poisson3d(5, 6, 7)).colours());
        valid(PoissonGenerator.poisson2d(13, 7), c2);
    }

    @Test
    void anUnsymmetricPatternIsColouredOnItsSymmetricClosure() throws Exception {
        // awkward(): random unsymmetric rows, empty rows and one dense row; a_ij ≠ 0 with a_ji = 0 must still part i and j.
        CsrMatrix a = CgKernelsTest.awkward(500, 4);
        GreedyColouring c = GreedyColouring.of(a);
        valid(a, c);
        assertTrue(c.colours() > 2, "a dense row couples everything to it");
        CsrMatrix m = SellCgTest.mtx("1138_bus.mtx");
        valid(m, GreedyColouring.of(m));
    }

    @Test
    void thePermutedMatrixTimesThePermutedVectorIsThePermutedProduct() {
        CsrMatrix a = CgKernelsTest.awkward(300, 8);
        GreedyColouring c = GreedyColouring.of(a);
        GreedyColouring.PermutedCsr p = c.permute(a);
        CsrMatrix pa = CsrMatrix.of(300, 300, p.rowPtr(), sortedCopyCheck(p), p.values());
        double[] x = CgKernelsTest.random(300, 9);
        double[] want = new double[300], got = new double[300];
        a.multiply(x, want);
        pa.multiply(DeviceMatrix.gather(x, c.order()), got);
        assertArrayEquals(want, DeviceMatrix.scatter(got, c.order()), 1e-12);
    }

    /** Columns of one permuted row are distinct (CsrMatrix.of wants them increasing, so this test sorts rows it can). */
    private static int[] sortedCopyCheck(GreedyColouring.PermutedCsr p) {
        int[] ci = p.colIdx().clone();
        double[] v = p.values();
        for (int i = 0; i + 1 < p.rowPtr().length; i++) {
            int s = p.rowPtr()[i], e = p.rowPtr()[i + 1];
            Integer[] idx = new Integer[e - s];
            for (int k = 0; k < idx.length; k++) idx[k] = s + k;
            Arrays.sort(idx, (u, w) -> Integer.compare(ci[u], ci[w]));
            int[] c2 = new int[idx.length];
            double[] v2 = new double[idx.length];
            for (int k = 0; k < idx.length; k++) { c2[k] = ci[idx[k]]; v2[k] = v[idx[k]]; }
            System.arraycopy(c2, 0, ci, s, c2.length);
            System.arraycopy(v2, 0, v, s, v2.length);
        }
        return ci;
    }

    private static void valid(CsrMatrix a, GreedyColouring c) {
        int n = a.rows();
        int[] sorted = c.order().clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) assertEquals(i, sorted[i], "order is a permutation");
        assertEquals(n, c.colourStart()[c.colours()]);
        int[] colour = new int[n];
        for (int k = 0; k < c.colours(); k++) {
            for (int p = c.colourStart()[k]; p < c.colourStart()[k + 1]; p++) colour[c.order()[p]] = k;
        }
        for (int i = 0; i < n; i++) {
            for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) {
                int j = a.colIdx()[k];
                if (j != i) assertNotEquals(colour[i], colour[j], "rows " + i + " and " + j + " are coupled and share a colour");
            }
        }
    }
}
