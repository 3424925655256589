package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.InvalidProblemException.Code;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoissonGeneratorTest {

    static double rowSum(CsrMatrix a, int i) {
        double s = 0;
        for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) s += a.values()[k];
        return s;
    }

    static int rowLength(CsrMatrix a, int i) {
        return a.rowPtr()[i + 1] - a.rowPtr()[i];
    }

    @Test
    void poisson2dIsTheSymmetricFivePointStencilWithFourAndMinusOne() {
        int nx = 12, ny = 12, n = nx * ny;
        CsrMatrix a = PoissonGenerator.poisson2d(nx, ny);
        assertEquals(n, a.rows());
        assertEquals(5 * n - 2 * (nx + ny), a.nnz());
        assertTrue(a.isSymmetric(0.0));
        for (int i = 0; i < n; i++) {
            for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) {
                assertEquals(a.colIdx()[k] == i ? 4.0 : -1.0, a.values()[k]);
            }
        }
        assertEquals(-1.0, a.get(0, 1));
        assertEquals(-1.0, a.get(0, nx));
        assertEquals(0.0, a.get(nx - 1, nx), "no wrap-around between grid rows");
        CsrMatrix.of(n, n, a.rowPtr().clone(), a.colIdx().clone(), a.values().clone()); // valid CSR
    }

    @Test
    void poisson2dInteriorRowsSumToZeroAndBoundaryRowsDoNot() {
        int nx = 6, ny = 5;
        CsrMatrix a = PoissonGenerator.poisson2d(nx, ny);
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                int p = i + nx * j;
                boolean interior = i > 0 && i < nx - 1 && j > 0 && j < ny - 1;
                if (interior) {
                    assertEquals(5, rowLength(a, p));
                    // nx ≠ ny: the weights hy/hx and hx/hy are rounded, so the sum is 0 to rounding.
                    assertEquals(0.0, rowSum(a, p), 1e-14 * a.get(p, p), "row " + p);
                } else {
                    assertTrue(rowSum(a, p) > 0, "row " + p);
                }
            }
        }
    }

    @Test
    void poisson2dOnASquareGridHasInteriorRowSumsOfExactlyZero() {
        CsrMatrix a = PoissonGenerator.poisson2d(5, 5);
        assertEquals(0.0, rowSum(a, 2 + 5 * 2));
        assertEquals(2.0, rowSum(a, 0), "corner row: two Dirichlet neighbours");
        assertEquals(1.0, rowSum(a, 2), "edge row: one Dirichlet neighbour");
    }

    @Test
    void poisson2dOnARectangleKeepsTheStencilCountAndSymmetry() {
        int nx = 7, ny = 3, n = nx * ny;
        CsrMatrix a = PoissonGenerator.poisson2d(nx, ny);
        assertEquals(5 * n - 2 * (nx + ny), a.nnz());
        assertTrue(a.isSymmetric(0.0));
    }

    @Test
    void poisson3dIsTheSymmetricSevenPointStencilWithSixAndMinusOne() {
        int nx = 5, ny = 5, nz = 5, n = nx * ny * nz;
        CsrMatrix a = PoissonGenerator.poisson3d(nx, ny, nz);
        assertEquals(n, a.rows());
        assertEquals(7 * n - 2 * (nx * ny + ny * nz + nx * nz), a.nnz());
        assertTrue(a.isSymmetric(0.0));
        for (double d : a.diagonal()) assertEquals(6.0, d);
        int center = 2 + nx * (2 + ny * 2);
        assertEquals(7, rowLength(a, center));
        assertEquals(0.0, rowSum(a, center));
        assertEquals(-1.0, a.get(center, center - nx * ny));
        assertEquals(-1.0, a.get(center, center + 1));
        CsrMatrix.of(n, n, a.rowPtr().clone(), a.colIdx().clone(), a.values().clone());
    }

    @Test
    void poisson3dOnABoxHasTheExpectedNonzeroCount() {
        int nx = 4, ny = 3, nz = 2, n = nx * ny * nz;
        CsrMatrix a = PoissonGenerator.poisson3d(nx, ny, nz);
        assertEquals(7 * n - 2 * (nx * ny + ny * nz + nx * nz), a.nnz());
        assertTrue(a.isSymmetric(0.0));
    }

    @Test
    void shiftIsAddedToTheDiagonalOnly() {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4, 0.25);
        for (double d : a.diagonal()) assertEquals(4.25, d);
        assertEquals(-1.0, a.get(0, 1));
        CsrMatrix b = PoissonGenerator.poisson3d(3, 3, 3, 2.0);
        for (double d : b.diagonal()) assertEquals(8.0, d);
    }

    @Test
    void variableCoefficientMatrixStaysExactlySymmetricWithZeroInteriorRowSums() {
        int nx = 10, ny = 8;
        CsrMatrix a = PoissonGenerator.poisson2d(nx, ny, 0.0, (x, y) -> 1 + 100 * x * x + Math.sin(7 * y));
        assertTrue(a.isSymmetric(0.0));
        for (int j = 1; j < ny - 1; j++) {
            for (int i = 1; i < nx - 1; i++) {
                int p = i + nx * j;
                assertEquals(0.0, rowSum(a, p), 1e-12 * a.get(p, p), "row " + p);
            }
        }
        // k differs face by face: the east and west couplings of a node are different.
        int p = 4 + nx * 4;
        assertTrue(a.get(p, p - 1) != a.get(p, p + 1));
        // Boundary rows are strictly diagonally dominant, interior rows weakly: with symmetry
        // and irreducibility that makes the matrix positive definite.
        for (int i = 0; i < a.rows(); i++) {
            double off = -(rowSum(a, i) - a.get(i, i));
            assertTrue(a.get(i, i) >= off * (1 - 1e-12));
        }
    }

    @Test
    void variableCoefficient3dMatrixStaysExactlySymmetric() {
        CsrMatrix a = PoissonGenerator.poisson3d(5, 4, 3, 0.0, (x, y, z) -> Math.exp(3 * x * y - z));
        assertTrue(a.isSymmetric(0.0));
        assertEquals(7 * 60 - 2 * (20 + 12 + 15), a.nnz());
    }

    @Test
    void constantCoefficientOneGivesExactlyTheDefaultMatrix() {
        assertEquals(PoissonGenerator.poisson2d(9, 9).fingerprint(),
                PoissonGenerator.poisson2d(9, 9, 0.0, (x, y) -> 1.0).fingerprint());
    }

    @Test
    void rejectsNonPositiveGridSizes() {
        assertEquals("nx", assertThrows(InvalidProblemException.class, () -> PoissonGenerator.poisson2d(0, 4)).field());
        assertEquals("ny", assertThrows(InvalidProblemException.class, () -> PoissonGenerator.poisson2d(4, -1)).field());
        assertEquals("nz", assertThrows(InvalidProblemException.class, () -> PoissonGenerator.poisson3d(4, 4, 0)).field());
    }

    @Test
    void rejectsGridsTooLargeForIntIndexingBeforeAllocating() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> PoissonGenerator.poisson2d(100_000, 100_000));
        assertEquals(Code.TOO_LARGE, e.code());
        assertEquals("grid", e.field());
        e = assertThrows(InvalidProblemException.class, () -> PoissonGenerator.poisson3d(1 << 20, 1 << 20, 1 << 20));
        assertEquals(Code.TOO_LARGE, e.code());
    }

    @Test
    void rejectsACoefficientThatIsNotPositive() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> PoissonGenerator.poisson2d(5, 5, 0.0, (x, y) -> x - 0.5));
        assertEquals("coefficient", e.field());
    }

    @Test
    void rejectsANonFiniteShift() {
        assertEquals("shift", assertThrows(InvalidProblemException.class,
                () -> PoissonGenerator.poisson2d(3, 3, Double.NaN)).field());
    }

    @Test
    void smoothRhsSamplesTheScaledSourceAtGridNodes() {
        int nx = 3, ny = 3;
        double[] b = PoissonGenerator.smoothRhs2d(nx, ny);
        double h = 0.25;
        assertEquals(h * h * 2 * Math.PI * Math.PI * Math.sin(Math.PI * 0.5) * Math.sin(Math.PI * 0.5), b[4], 1e-15);
        assertEquals(b[0], b[8], 1e-15);
        double[] ones = PoissonGenerator.ones(7);
        for (double v : ones) assertEquals(1.0, v);
        assertEquals(27, PoissonGenerator.smoothRhs3d(3, 3, 3).length);
    }
}
