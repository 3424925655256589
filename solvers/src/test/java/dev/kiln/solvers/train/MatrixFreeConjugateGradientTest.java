package dev.kiln.solvers.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixFreeConjugateGradientTest {
    /** The 1D Laplacian tridiag(−1, 2, −1) + shift, applied without a matrix. */
    private static LinearOperator laplacian(double shift) {
        return (x, y) -> {
            int n = x.length;
            for (int i = 0; i < n; i++) {
                y[i] = (2 + shift) * x[i] - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0);
            }
        };
    }

    @Test
    void solvesAnSpdOperatorToTheTolerance() {
        int n = 50;
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        double[] b = new double[n];
        laplacian(0.1).apply(ones, b);
        MatrixFreeConjugateGradient.Result r = MatrixFreeConjugateGradient.solve(laplacian(0.1), b, null, 1e-10, 500);
        assertTrue(r.converged());
        for (double v : r.x()) assertEquals(1.0, v, 1e-8);
    }

    @Test
    void stopsUnconvergedWhenTheIterationBudgetRunsOut() {
        int n = 200;
        double[] b = new double[n];
        b[n / 2] = 1;
        MatrixFreeConjugateGradient.Result r = MatrixFreeConjugateGradient.solve(laplacian(0), b, null, 1e-12, 3);
        assertFalse(r.converged());
        assertEquals(3, r.iterations());
    }
}
