package dev.kiln.solvers.train;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backprop against central finite differences, and the matrix-free Gauss–Newton product
 * against G = (1/B) Σ Jᵢᵀ Hᵢ Jᵢ formed explicitly from finite-difference Jacobians.
 * Central differences have error O(h²·f''') ≈ 1e-10 at h = 1e-5 plus rounding
 * ε·|f|/h ≈ 1e-11, so a relative agreement of 1e-6 is a generous, principled bound.
 */
class NetworkDerivativesTest {
    private static final double H = 1e-5;

    record Case(String name, int[] sizes, Activation activation, Loss loss) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("logistic/cross-entropy", new int[]{5, 3}, Activation.TANH, Loss.CROSS_ENTROPY),
                new Case("logistic/mse", new int[]{5, 3}, Activation.TANH, Loss.MSE),
                new Case("mlp-tanh/cross-entropy", new int[]{4, 6, 5, 3}, Activation.TANH, Loss.CROSS_ENTROPY),
                new Case("mlp-relu/cross-entropy", new int[]{4, 7, 3}, Activation.RELU, Loss.CROSS_ENTROPY),
                new Case("mlp-tanh/mse", new int[]{4, 6, 3}, Activation.TANH, Loss.MSE));
    }

    private static double[] randomBatch(int rows, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[rows * d];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble(-2, 2);
        return x;
    }

    private static double[] randomTheta(Network net, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] t = new double[net.parameterCount()];
        for (int i = 0; i < t.length; i++) t[i] = r.nextDouble(-0.8, 0.8);
        return t;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientMatchesCentralFiniteDifferences(Case c) {
        Network net = new Network(c.sizes(), c.activation(), c.loss());
        int rows = 7;
        double[] x = randomBatch(rows, c.sizes()[0], 1);
        int[] y = {0, 1, 2, 0, 1, 2, 1};
        double[] theta = randomTheta(net, 2);
        double[] g = new double[net.parameterCount()];
        net.forward(theta, x, y, rows).gradient(g);
        for (int k = 0; k < theta.length; k++) {
            double[] tp = theta.clone(), tm = theta.clone();
            tp[k] += H;
            tm[k] -= H;
            double fd = (net.forward(tp, x, y, rows).loss() - net.forward(tm, x, y, rows).loss()) / (2 * H);
            assertEquals(fd, g[k], 1e-6 * Math.max(1, Math.abs(fd)), c + ": dL/dθ[" + k + "]");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gaussNewtonProductMatchesTheExplicitMatrix(Case c) {
        Network net = new Network(c.sizes(), c.activation(), c.loss());
        int rows = 5, classes = c.sizes()[c.sizes().length - 1], p = net.parameterCount();
        double[] x = randomBatch(rows, c.sizes()[0], 3);
        int[] y = {2, 0, 1, 1, 0};
        double[] theta = randomTheta(net, 4);
        Network.Pass pass = net.forward(theta, x, y, rows);
        // J (rows·classes × p) by central differences of the logits.
        double[][] jac = new double[rows * classes][p];
        for (int k = 0; k < p; k++) {
            double[] tp = theta.clone(), tm = theta.clone();
            tp[k] += H;
            tm[k] -= H;
            double[] zp = net.forward(tp, x, y, rows).logits(), zm = net.forward(tm, x, y, rows).logits();
            for (int o = 0; o < rows * classes; o++) jac[o][k] = (zp[o] - zm[o]) / (2 * H);
        }
        double[][] g = new double[p][p];
        double[] z = pass.logits();
        for (int i = 0; i < rows; i++) {
            double[][] h = new double[classes][classes];
            if (c.loss() == Loss.CROSS_ENTROPY) {
                double[] prob = new double[classes];
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int j = 0; j < classes; j++) max = Math.max(max, z[i * classes + j]);
                for (int j = 0; j < classes; j++) s += prob[j] = Math.exp(z[i * classes + j] - max);
                for (int j = 0; j < classes; j++) prob[j] /= s;
                for (int a = 0; a < classes; a++) for (int b = 0; b < classes; b++) h[a][b] = (a == b ? prob[a] : 0) - prob[a] * prob[b];
            } else {
                for (int a = 0; a < classes; a++) h[a][a] = 1;
            }
            for (int a = 0; a < classes; a++) for (int b = 0; b < classes; b++) {
                if (h[a][b] == 0) continue;
                double[] ja = jac[i * classes + a], jb = jac[i * classes + b];
                for (int k = 0; k < p; k++) for (int l = 0; l < p; l++) g[k][l] += ja[k] * h[a][b] * jb[l] / rows;
            }
        }
        double[] v = randomTheta(net, 5);
        double[] gv = new double[p];
        pass.gaussNewtonProduct(v, gv);
        double scale = 0;
        for (double t : gv) scale = Math.max(scale, Math.abs(t));
        assertTrue(scale > 0, "G·v is not identically zero for a random v");
        for (int k = 0; k < p; k++) {
            double e = 0;
            for (int l = 0; l < p; l++) e += g[k][l] * v[l];
            assertEquals(e, gv[k], 1e-6 * Math.max(1, scale), c + ": (G·v)[" + k + "]");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theCurvatureFactorReproducesTheGaussNewtonMatrix(Case c) {
        Network net = new Network(c.sizes(), c.activation(), c.loss());
        int rows = 6, classes = c.sizes()[c.sizes().length - 1], p = net.parameterCount();
        Network.Pass pass = net.forward(randomTheta(net, 7), randomBatch(rows, c.sizes()[0], 6), new int[]{1, 0, 2, 2, 1, 0}, rows);
        double[] u = new double[rows * classes * p];
        pass.curvatureFactor(u);
        // Uᵀ(U·e_k) must equal G·e_k for every k: the factor is the whole matrix, not an approximation.
        for (int k = 0; k < p; k++) {
            double[] ek = new double[p];
            ek[k] = 1;
            double[] gek = new double[p];
            pass.gaussNewtonProduct(ek, gek);
            double[] uek = new double[rows * classes];
            for (int r = 0; r < uek.length; r++) uek[r] = u[r * p + k];
            for (int l = 0; l < p; l++) {
                double e = 0;
                for (int r = 0; r < uek.length; r++) e += u[r * p + l] * uek[r];
                assertEquals(gek[l], e, 1e-12 * Math.max(1, Math.abs(gek[l])), c + ": (UᵀU)[" + l + "][" + k + "]");
            }
        }
    }
}
