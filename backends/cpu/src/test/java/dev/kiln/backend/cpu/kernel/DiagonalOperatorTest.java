package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DIA storage: which matrices the rule gives it, and its products against the scalar CSR reference. */
class DiagonalOperatorTest {
    @BeforeAll
    static void vectorPathIsThere() {
        assertTrue(CpuKernels.vectorized(), "tests run with --add-modules jdk.incubator.vector: " + CpuKernels.vectorUnavailableReason());
    }

    /** n×n with the given diagonals, entries that leave the matrix dropped, values varying by row. */
    static CsrMatrix diagonals(int n, int... offsets) {
        List<int[]> ij = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int o : offsets) if (i + o >= 0 && i + o < n) ij.add(new int[] {i, i + o});
        int[] r = new int[ij.size()], c = new int[ij.size()];
        double[] v = new double[ij.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = ij.get(k)[0];
            c[k] = ij.get(k)[1];
            v[k] = r[k] == c[k] ? 10 + r[k] % 3 : -1.0 / (1 + (r[k] + 2 * c[k]) % 5);
        }
        return CooAssembler.fromCoo(n, n, r, c, v);
    }

    /** Matrices with a DIA form: stencils, tails around the SIMD width, interiors that are empty or one row. */
    static List<CsrMatrix> shapes() {
        List<CsrMatrix> l = new ArrayList<>();
        l.add(CooAssembler.fromCoo(1, 1, new int[] {0}, new int[] {0}, new double[] {4}));
        l.add(PoissonGenerator.poisson2d(37, 29));
        l.add(PoissonGenerator.poisson3d(9, 8, 7));
        l.add(TestMatrices.fixture("gr_30_30"));                 // 9-point stencil on a 30×30 grid
        for (int n : new int[] {3, 7, 8, 9, 17, 33, 1000, 4099}) l.add(diagonals(n, -1, 0, 1));
        l.add(diagonals(10, -7, 0, 7));                          // no interior row at all
        l.add(diagonals(300, -40, -3, 0, 2, 11));                // non-symmetric, uneven offsets
        l.add(diagonals(257, 0));                                // diagonal only: no edge rows
        return l;
    }

    static double scale(CsrMatrix a) {
        double s = 0;
        for (double v : a.values()) s = Math.max(s, Math.abs(v));
        return s;
    }

    /** DIA storage of A whatever its fill (the products tests also cover shapes the rule would decline). */
    static DiagonalMatrix dia(CsrMatrix a) {
        return DiagonalMatrix.of(a, DiagonalMatrix.MAX_DIAGONALS, Double.MAX_VALUE);
    }

    @Test
    void theFormatRuleGivesDiaToLargeStencilsAndNotToGeneralOrSmallMatrices() {
        for (CsrMatrix a : List.of(PoissonGenerator.poisson2d(400, 300), PoissonGenerator.poisson3d(50, 50, 50),
                diagonals(40_000, -1, 0, 1))) {
            assertTrue(CpuKernels.prepare(a, SpmvFormat.AUTO, 1).operator().format().startsWith("dia-"), a.toString());
            assertTrue(CpuKernels.prepareFp32(a, SpmvFormat.AUTO, 1).operator().format().startsWith("dia-"), a.toString());
        }
        assertEquals(5, DiagonalMatrix.of(PoissonGenerator.poisson2d(400, 300)).diagonals());
        assertEquals(7, DiagonalMatrix.of(PoissonGenerator.poisson3d(50, 50, 50)).diagonals());
        // general matrices; stencils that sit in cache (gr_30_30, Poisson 2D 37×29); crystm01 (27 diagonals,
        // 105 339 non-zeros, but 9.7 % edge rows); a tridiagonal of 3 (fill 9/7)
        for (CsrMatrix a : List.of(TestMatrices.random(1001, 40, false, 1), TestMatrices.mostlyEmpty(133),
                TestMatrices.fixture("nos3"), TestMatrices.fixture("1138_bus"), KernelWarmUp.ragged(200),
                TestMatrices.fixture("gr_30_30"), PoissonGenerator.poisson2d(37, 29), diagonals(3, -1, 0, 1),
                diagonals(5_000, -240, -10, -1, 0, 1, 10, 240))) {
            assertNull(DiagonalMatrix.of(a), a.toString());
            assertTrue(!CpuKernels.prepare(a, SpmvFormat.AUTO, 1).operator().format().startsWith("dia"), a.toString());
        }
        for (CsrMatrix a : List.of(TestMatrices.random(1001, 40, false, 1), diagonals(3, -1, 0, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuKernels.prepare(a, SpmvFormat.DIA, 1));
            assertTrue(e.getMessage().contains("diagonals"), e.getMessage());
        }
        // 28 diagonals: one more than the limit
        int[] offs = new int[DiagonalMatrix.MAX_DIAGONALS + 1];
        for (int d = 0; d < offs.length; d++) offs[d] = d - offs.length / 2;
        assertNull(DiagonalMatrix.of(diagonals(20_000, offs)));
        assertNotNull(DiagonalMatrix.of(diagonals(20_000, Arrays.copyOf(offs, offs.length - 1))));
    }

    @Test
    void offsetsAreFoundWhateverTheOrderTheyAppearIn() {
        // rows that start at different offsets: the first row has only 0 and +5, later rows add −2 and +1
        CsrMatrix a = diagonals(50, 5, -2, 0, 1);
        assertArrayEquals(new int[] {-2, 0, 1, 5}, dia(a).offsets());
        assertEquals(4.0 * 50 / a.nnz(), dia(a).fill(), 1e-15);
    }

    @Test
    void productsAgreeWithTheScalarReference() {
        for (CsrMatrix a : shapes()) for (int threads : new int[] {1, 2}) {
            SparseOperator op = new DiagonalOperator(dia(a), WorkerPool.shared(), threads);
            int n = a.rows();
            double[] x = TestMatrices.vector(n, 31), b = TestMatrices.vector(n, 32);
            double[] yRef = new double[n], y = new double[n], rRef = new double[n], r = new double[n];
            ScalarKernels.spmv(a, x, yRef);
            double tol = 1e-13 * scale(a) * 64;
            String what = a + " threads=" + threads;
            op.apply(x, y);
            assertArrayEquals(yRef, y, tol, what);
            Arrays.fill(y, Double.NaN);
            double d = op.applyDot(x, y);
            assertArrayEquals(yRef, y, tol, what);
            assertEquals(ScalarKernels.dot(n, x, yRef), d, 1e-13 * n * scale(a) * 64, what);
            ScalarKernels.residual(a, x, b, rRef);
            op.residual(x, b, r);
            assertArrayEquals(rRef, r, tol, what);
        }
    }

    @Test
    void fp32ProductsAgreeWithTheScalarFp32Reference() {
        for (CsrMatrix a : shapes()) for (int threads : new int[] {1, 2}) {
            SparseOperatorFp32 op = new DiagonalOperatorFp32(dia(a).toFp32(), WorkerPool.shared(), threads);
            int n = a.rows();
            float[] x = VectorKernelsTest.vectorFp32(n, 33), yRef = new float[n], y = new float[n];
            double dRef = new ScalarCsrOperatorFp32(a).applyDot(x, yRef);
            String what = a + " threads=" + threads;
            op.apply(x, y);
            assertArrayEquals(yRef, y, (float) (1e-6 * scale(a) * 64), what);
            Arrays.fill(y, Float.NaN);
            double d = op.applyDot(x, y);
            assertArrayEquals(yRef, y, (float) (1e-6 * scale(a) * 64), what);
            assertEquals(dRef, d, 1e-10 * n * scale(a) * 64, what);
        }
    }
}
