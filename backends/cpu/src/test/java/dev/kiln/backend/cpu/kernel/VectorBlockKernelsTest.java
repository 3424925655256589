package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.krylov.ScalarBlockKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VectorBlockKernelsTest {
    static final int N = 1003; // a vector tail on every SIMD width

    @BeforeEach
    void needsTheVectorApi() {
        Assumptions.assumeTrue(CpuKernels.vectorized(), "Vector API not available");
    }

    static double[][] vectors(int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] v = new double[k][N];
        for (double[] x : v) for (int i = 0; i < N; i++) x[i] = r.nextDouble(-1, 1);
        return v;
    }

    @Test
    void dotsAgreeWithTheScalarReferenceForAnyNumberOfVectors() {
        for (int k : new int[]{1, 3, 4, 6, 9}) {
            double[][] w = vectors(k, k);
            double[] z = vectors(1, 100 + k)[0], v = new double[k], s = new double[k];
            VectorBlockKernels.INSTANCE.dots(N, w, z, v);
            ScalarBlockKernels.INSTANCE.dots(N, w, z, s);
            for (int i = 0; i < k; i++) assertEquals(s[i], v[i], 1e-12, "k=" + k + " i=" + i);
        }
    }

    @Test
    void directionAgreesWithTheScalarReferenceWithAndWithoutBeta() {
        for (int k : new int[]{0, 2, 4, 7}) {
            for (double beta : new double[]{0, 0.7}) {
                double[][] w = vectors(k, 10 + k);
                double[] z = vectors(1, 20)[0], mu = vectors(1, 30)[0];
                double[] pv = vectors(1, 40)[0], ps = pv.clone();
                if (beta == 0) java.util.Arrays.fill(pv, Double.NaN); // β = 0 must not read p
                VectorBlockKernels.INSTANCE.direction(N, z, beta, w, mu, pv);
                ScalarBlockKernels.INSTANCE.direction(N, z, beta, w, mu, ps);
                for (int i = 0; i < N; i++) assertEquals(ps[i], pv[i], 1e-12, "k=" + k + " beta=" + beta + " i=" + i);
            }
        }
    }

    @Test
    void combineAgreesWithTheScalarReference() {
        double[][] src = vectors(6, 50), ov = new double[3][N], os = new double[3][N];
        double[] scale = {1, 0.5, -2, 3, 1, 0.25};
        double[][] coef = new double[6][3];
        SplittableRandom r = new SplittableRandom(51);
        for (double[] c : coef) for (int j = 0; j < 3; j++) c[j] = r.nextDouble(-1, 1);
        VectorBlockKernels.INSTANCE.combine(N, src, scale, coef, ov);
        ScalarBlockKernels.INSTANCE.combine(N, src, scale, coef, os);
        for (int j = 0; j < 3; j++) for (int i = 0; i < N; i++) assertEquals(os[j][i], ov[j][i], 1e-12);
    }
}
