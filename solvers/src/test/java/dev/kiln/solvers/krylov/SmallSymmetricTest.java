package dev.kiln.solvers.krylov;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SmallSymmetricTest {
    @Test
    void eigenOfATwoByTwoIsOneAndThreeAscending() {
        SmallSymmetric.Eigen e = SmallSymmetric.eigen(new double[][]{{2, 1}, {1, 2}});
        assertEquals(1, e.values()[0], 1e-14);
        assertEquals(3, e.values()[1], 1e-14);
        assertEquals(Math.abs(e.vectors()[0][0]), Math.sqrt(0.5), 1e-14);
    }

    @Test
    void eigenReconstructsARandomSymmetricMatrix() {
        int n = 12;
        SplittableRandom r = new SplittableRandom(1);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) { a[i][j] = r.nextDouble(-1, 1); a[j][i] = a[i][j]; }
        SmallSymmetric.Eigen e = SmallSymmetric.eigen(a);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += e.vectors()[i][k] * e.values()[k] * e.vectors()[j][k];
                assertEquals(a[i][j], s, 1e-12);
            }
        }
        for (int k = 1; k < n; k++) assertEquals(true, e.values()[k - 1] <= e.values()[k]);
    }

    @Test
    void pseudoInverseInvertsANonSingularMatrix() {
        double[][] a = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] inv = SmallSymmetric.pseudoInverse(a, 1e-10);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) s += a[i][k] * inv[k][j];
                assertEquals(i == j ? 1 : 0, s, 1e-13);
            }
        }
    }

    @Test
    void pseudoInverseOfAGramOfDependentVectorsSolvesInTheirSpan() {
        // Gram of u and 2u (dependent): G = [[1, 2], [2, 4]]; G⁺·(Gy) must reproduce G·(G⁺Gy) = Gy.
        double[][] g = {{1, 2}, {2, 4}};
        double[][] p = SmallSymmetric.pseudoInverse(g, 1e-10);
        double[] rhs = {3, 6}, y = new double[2], back = new double[2];
        SmallSymmetric.multiply(p, rhs, y);
        SmallSymmetric.multiply(g, y, back);
        assertEquals(3, back[0], 1e-12);
        assertEquals(6, back[1], 1e-12);
    }

    @Test
    void pseudoInverseRefusesAnIndefiniteMatrix() {
        assertNull(SmallSymmetric.pseudoInverse(new double[][]{{1, 2}, {2, 1}}, 1e-10));
        assertNull(SmallSymmetric.pseudoInverse(new double[][]{{-1}}, 1e-10));
    }
}
