package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.train.LinearOperator;
import dev.kiln.solvers.train.MatrixFreeConjugateGradient;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated device against the OU process's known laws, with fixed seeds and tolerances
 * of several standard errors (each derived in the test).
 */
class OrnsteinUhlenbeckDeviceTest {
    /** A 3×3 SPD matrix with eigenvalues ≈ 0.8 … 2.9. */
    private static final double[][] A3 = {{2, 0.5, 0}, {0.5, 1.5, 0.4}, {0, 0.4, 1}};
    private static final double[] B3 = {1, -0.5, 0.25};
    private static final double KAPPA = 0.01;

    private static LinearOperator op(double[][] a) {
        return (x, y) -> {
            for (int i = 0; i < a.length; i++) {
                double s = 0;
                for (int j = 0; j < a.length; j++) s += a[i][j] * x[j];
                y[i] = s;
            }
        };
    }

    private static double[] solve(double[][] a, double[] b) {
        return MatrixFreeConjugateGradient.solve(op(a), b, null, 1e-14, 1000).x();
    }

    private static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] inv = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            inv[j] = solve(a, e);
        }
        return inv;
    }

    /** Samples the stationary law every {@code spacing} τ after a burn-in; returns mean and covariance. */
    private static double[][] moments(OrnsteinUhlenbeckDevice d, double spacing, int samples, long seed) {
        int n = 3;
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = d.evolve(B3, new double[n], 30, rnd);
        double[] mean = new double[n];
        double[][] second = new double[n][n];
        for (int s = 0; s < samples; s++) {
            x = d.evolve(B3, x, spacing, rnd);
            for (int i = 0; i < n; i++) {
                mean[i] += x[i] / samples;
                for (int j = 0; j < n; j++) second[i][j] += x[i] * x[j] / samples;
            }
        }
        double[][] out = new double[n + 1][];
        out[0] = mean;
        for (int i = 0; i < n; i++) {
            out[i + 1] = new double[n];
            for (int j = 0; j < n; j++) out[i + 1][j] = second[i][j] - mean[i] * mean[j];
        }
        return out;
    }

    private static void assertStationaryLaw(double[][] m, double covarianceBias) {
        double[] exactMean = solve(A3, B3);
        double[][] exactCov = inverse(A3);
        for (int i = 0; i < 3; i++) {
            // Mean: SE ≤ √(κ₀·λ_min⁻¹ / N_eff) ≈ √(0.01·1.25/20000) = 8e-4; allow 5 SE = 4e-3.
            assertEquals(exactMean[i], m[0][i], 4e-3, "mean[" + i + "]");
            for (int j = 0; j < 3; j++) {
                // Covariance κ₀A⁻¹ (≤ 0.0125): sampling SE ≈ 0.0125·√(2/N_eff) = 1.3e-4, plus the stated
                // integrator bias; allow 5 SE + bias.
                double expected = KAPPA * exactCov[i][j];
                assertEquals(expected, m[i + 1][j], 6.5e-4 + covarianceBias * Math.abs(expected), "cov[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void exactTransitionsHaveStationaryMeanAInverseBAndCovarianceKappaAInverse() {
        OrnsteinUhlenbeckDevice d = OrnsteinUhlenbeckDevice.exact(A3, KAPPA, 1.0);
        assertTrue(d.isExact());
        assertStationaryLaw(moments(d, 1.0, 20_000, 11), 0);
    }

    @Test
    void eulerMaruyamaHasTheSameLawUpToItsStatedOrderHBias() {
        // λ_max ≈ 2.9: h = 0.1/λ_max → covariance bias ≤ 1/(1 − hλ/2) − 1 ≈ 5 %.
        double h = 0.1 / 2.9;
        OrnsteinUhlenbeckDevice d = OrnsteinUhlenbeckDevice.eulerMaruyama(op(A3), 3, KAPPA, h);
        assertStationaryLaw(moments(d, 1.0, 20_000, 12), 0.06);
    }

    @Test
    void withoutNoiseTheDeviceRelaxesExactlyToTheSolution() {
        OrnsteinUhlenbeckDevice d = OrnsteinUhlenbeckDevice.eulerMaruyama(op(A3), 3, 0, 0.03);
        double[] x = d.evolve(B3, null, 60, new SplittableRandom(1)); // 60τ ≫ 1/λ_min ≈ 1.25τ
        double[] exact = solve(A3, B3);
        for (int i = 0; i < 3; i++) assertEquals(exact[i], x[i], 1e-12);
    }

    /** A random 16×16 SPD matrix Q·diag(0.5..2)·Qᵀ. */
    private static double[][] randomSpd(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i][j] = r.nextGaussian();
        SymmetricEigen e = SymmetricEigen.of(symmetrise(m));
        double[][] a = new double[n][n];
        for (int k = 0; k < n; k++) {
            double l = 0.5 + 1.5 * k / (n - 1);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] += e.vectors[i][k] * l * e.vectors[j][k];
        }
        return a;
    }

    private static double[][] symmetrise(double[][] m) {
        int n = m.length;
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s[i][j] = (m[i][j] + m[j][i]) / 2;
        return s;
    }

    private static void assertErrorMatchesPrediction(boolean exact) {
        int n = 16;
        double[][] a = randomSpd(n, 5);
        double[] b = new double[n];
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < n; i++) b[i] = r.nextDouble(-1, 1);
        double[] truth = solve(a, b);
        double kappa = 1e-3, averaging = 400;
        OrnsteinUhlenbeckDevice reference = OrnsteinUhlenbeckDevice.exact(a, kappa, 0.05);
        double predicted = reference.predictedError(averaging); // √(2κ₀·tr(A⁻²)/t)
        OrnsteinUhlenbeckDevice d = exact ? reference : OrnsteinUhlenbeckDevice.eulerMaruyama(op(a), n, kappa, 0.05);
        int runs = 12;
        double sq = 0, se = 0;
        for (int run = 0; run < runs; run++) {
            // Burn-in 40τ = 20 relaxation times of the slowest mode (λ_min = 0.5): transient e^−20.
            OrnsteinUhlenbeckDevice.Estimate est = d.average(b, null, 40, averaging, 20, new SplittableRandom(100 + run), () -> false);
            double e2 = 0;
            for (int i = 0; i < n; i++) e2 += Math.pow(est.mean()[i] - truth[i], 2);
            sq += e2 / runs;
            se += est.standardError() / runs;
        }
        double observed = Math.sqrt(sq);
        assertTrue(observed > predicted / 2 && observed < predicted * 2,
                "observed RMS error " + observed + " vs predicted " + predicted);
        assertTrue(se > predicted / 2 && se < predicted * 2, "batch-means error bar " + se + " vs predicted " + predicted);
    }

    @Test
    void timeAverageErrorMatchesThePredictedErrorBarWithinAFactorOfTwoExact() {
        assertErrorMatchesPrediction(true);
    }

    @Test
    void timeAverageErrorMatchesThePredictedErrorBarWithinAFactorOfTwoEulerMaruyama() {
        assertErrorMatchesPrediction(false);
    }

    @Test
    void jacobiEigenDecompositionReconstructsTheMatrix() {
        double[][] a = randomSpd(10, 3);
        SymmetricEigen e = SymmetricEigen.of(a);
        for (int i = 0; i < 10; i++) for (int j = 0; j < 10; j++) {
            double s = 0;
            for (int k = 0; k < 10; k++) s += e.vectors[i][k] * e.values[k] * e.vectors[j][k];
            assertEquals(a[i][j], s, 1e-12);
        }
        assertEquals(0.5, e.min(), 1e-12);
        assertEquals(2.0, e.max(), 1e-12);
    }
}
