package dev.kiln.solvers.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ScalarKernelsTest {

    @Test
    void dotAndNormUseOnlyTheFirstNElements() {
        double[] x = {1, 2, 3, 100};
        double[] y = {4, -5, 6, 100};
        assertEquals(1 * 4 - 2 * 5 + 3 * 6, ScalarKernels.dot(3, x, y));
        assertEquals(5.0, ScalarKernels.norm2(2, new double[] {3, 4, 7}));
    }

    @Test
    void axpyAddsAScaledVector() {
        double[] y = {1, 1, 1};
        ScalarKernels.axpy(3, 2.0, new double[] {1, 2, 3}, y);
        assertArrayEquals(new double[] {3, 5, 7}, y);
    }

    @Test
    void xpayScalesTheTargetThenAdds() {
        double[] y = {1, 2, 3};
        ScalarKernels.xpay(3, new double[] {10, 20, 30}, 0.5, y);
        assertArrayEquals(new double[] {10.5, 21, 31.5}, y);
    }

    @Test
    void scaleAndCopyWorkInPlace() {
        double[] x = {1, -2, 4};
        ScalarKernels.scale(3, -0.5, x);
        assertArrayEquals(new double[] {-0.5, 1, -2}, x);
        double[] y = new double[3];
        ScalarKernels.copy(2, x, y);
        assertArrayEquals(new double[] {-0.5, 1, 0}, y);
    }

    @Test
    void spmvMatchesTheMatrixsOwnProduct() {
        CsrMatrix a = PoissonGenerator.poisson2d(5, 4, 0.0, (x, y) -> 1 + x + y * y);
        double[] x = new double[a.rows()];
        for (int i = 0; i < x.length; i++) x[i] = Math.sin(i);
        double[] y1 = new double[x.length], y2 = new double[x.length];
        ScalarKernels.spmv(a, x, y1);
        a.multiply(x, y2);
        assertArrayEquals(y2, y1);
    }

    @Test
    void residualIsBMinusAx() {
        CsrMatrix a = PoissonGenerator.poisson2d(3, 3);
        double[] x = new double[9];
        for (int i = 0; i < 9; i++) x[i] = i;
        double[] ax = new double[9], b = new double[9], r = new double[9];
        a.multiply(x, ax);
        for (int i = 0; i < 9; i++) b[i] = 2 * i + 1;
        ScalarKernels.residual(a, x, b, r);
        for (int i = 0; i < 9; i++) assertEquals(b[i] - ax[i], r[i]);
    }
}
