package dev.kiln.solvers.stationary;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EisenstatSweepsTest {

    private static double[] wave(int n, double f) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.sin(f * i + 0.3);
        return v;
    }

    @Test
    void theSweepsComputeTheirDefiningProductsAndSolves() {
        CsrMatrix a = PoissonGenerator.poisson2d(9, 7, 0.2);
        int n = a.rows();
        double omega = 1.4;
        double[] d = a.diagonal();
        for (boolean carry : new boolean[] {true, false}) {
            SplitMatrix s = SplitMatrix.of(a, carry);
            double[] w = new double[n], t = new double[n], sv = new double[n], y = new double[n], rTilde = wave(n, 0.7);
            double[] wPrev = wave(n, 1.1);
            System.arraycopy(wPrev, 0, w, 0, n);
            EisenstatSweeps.backward(s, omega, rTilde, 0.5, w, t);
            // w = r̃ + 0.5·w_prev and (D/ω + U)·t = w
            double[] ut = new double[n];
            for (int i = 0; i < n; i++) {
                assertEquals(rTilde[i] + 0.5 * wPrev[i], w[i], 0.0, "w[" + i + "]");
                double sum = d[i] / omega * t[i];
                for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) if (a.colIdx()[k] > i) sum += a.values()[k] * t[a.colIdx()[k]];
                ut[i] = sum;
                assertEquals(w[i], sum, 1e-13, "carry=" + carry + " Û·t at " + i);
            }
            EisenstatSweeps.start(s, omega, wave(n, 0.4), rTilde, y);   // any r̃ with y = E⁻¹r̃
            double curvature = EisenstatSweeps.forward(s, omega, w, t, sv);
            double derived = EisenstatSweeps.derivedResidualNorm2(s, rTilde, y);
            double[] at = new double[n];
            a.multiply(t, at);
            double tat = 0, rr = 0;
            for (int i = 0; i < n; i++) {
                tat += t[i] * at[i];
                // (D/ω + L)·s = w − (2/ω − 1)·D·t
                double lhs = d[i] / omega * sv[i];
                double ri = rTilde[i];
                for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) {
                    int j = a.colIdx()[k];
                    if (j < i) { lhs += a.values()[k] * sv[j]; ri += a.values()[k] * y[j]; }
                }
                assertEquals(w[i] - (2 / omega - 1) * d[i] * t[i], lhs, 1e-12, "carry=" + carry + " L̂·s at " + i);
                rr += ri * ri;
            }
            assertEquals(tat, curvature, 1e-12 * Math.abs(tat), "wᵀ(t + s) = tᵀAt");
            assertEquals(rr, derived, 1e-12 * rr, "‖r̃ + L·y‖²");
        }
    }

    @Test
    void bothSweepFormsGiveTheSameBits() {
        CsrMatrix a = PoissonGenerator.poisson2d(11, 8, 0.1);
        int n = a.rows();
        double[][] results = new double[2][];
        int form = 0;
        for (boolean carry : new boolean[] {true, false}) {
            SplitMatrix s = SplitMatrix.of(a, carry);
            double[] w = new double[n], t = new double[n], sv = new double[n], y = new double[n], rTilde = new double[n];
            double[] x = new double[n];
            double rho = EisenstatSweeps.start(s, 1.3, wave(n, 0.9), rTilde, y);
            double beta = 0;
            for (int it = 0; it < 5; it++) {
                EisenstatSweeps.backward(s, 1.3, rTilde, beta, w, t);
                double curvature = EisenstatSweeps.forward(s, 1.3, w, t, sv);
                double next = EisenstatSweeps.update(s, 1.3, rho / curvature, t, sv, x, rTilde, y);
                beta = next / rho;
                rho = next;
            }
            results[form++] = x;
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToLongBits(results[0][i]), Double.doubleToLongBits(results[1][i]), "x[" + i + "]");
        }
    }
}
