package dev.kiln.solvers.krylov;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScalarBlockKernelsTest {
    static final int N = 1037; // not a multiple of the chunk or of four

    static double[][] vectors(int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] v = new double[k][N];
        for (double[] x : v) for (int i = 0; i < N; i++) x[i] = r.nextDouble(-1, 1);
        return v;
    }

    @Test
    void dotsEqualOneDotPerVector() {
        double[][] w = vectors(7, 1);
        double[] z = vectors(1, 2)[0], out = new double[7];
        ScalarBlockKernels.INSTANCE.dots(N, w, z, out);
        for (int i = 0; i < 7; i++) {
            double s = 0;
            for (int j = 0; j < N; j++) s += w[i][j] * z[j];
            assertEquals(s, out[i], 1e-12);
        }
    }

    @Test
    void directionWithZeroBetaIgnoresWhatPHeld() {
        double[][] w = vectors(5, 3);
        double[] z = vectors(1, 4)[0], mu = {0.5, -1, 2, 0.25, 3}, p = new double[N];
        Arrays.fill(p, Double.NaN);
        ScalarBlockKernels.INSTANCE.direction(N, z, 0, w, mu, p);
        for (int j = 0; j < N; j++) {
            double e = z[j];
            for (int i = 0; i < 5; i++) e -= mu[i] * w[i][j];
            assertEquals(e, p[j], 1e-12);
        }
    }

    @Test
    void directionAddsBetaTimesTheOldDirection() {
        double[][] w = vectors(2, 5);
        double[] z = vectors(1, 6)[0], p = vectors(1, 7)[0], old = p.clone(), mu = {1, -2};
        ScalarBlockKernels.INSTANCE.direction(N, z, 0.3, w, mu, p);
        for (int j = 0; j < N; j++) assertEquals(z[j] + 0.3 * old[j] - w[0][j] + 2 * w[1][j], p[j], 1e-12);
    }

    @Test
    void combineFormsScaledLinearCombinations() {
        double[][] src = vectors(3, 8), out = new double[2][N];
        double[] scale = {1, 2, -1};
        double[][] coef = {{1, 0}, {0.5, 1}, {0, 3}};
        ScalarBlockKernels.INSTANCE.combine(N, src, scale, coef, out);
        for (int j = 0; j < N; j++) {
            assertEquals(src[0][j] + src[1][j], out[0][j], 1e-12);
            assertEquals(2 * src[1][j] - 3 * src[2][j], out[1][j], 1e-12);
        }
    }
}
