package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.train.LinearOperator;

import java.util.SplittableRandom;

/**
 * Extreme eigenvalues of a symmetric operator from k Lanczos steps with full
 * re-orthogonalisation (Golub & Van Loan 4th ed., §10.1; Saad, "Numerical Methods for Large
 * Eigenvalue Problems", §6.6). The Ritz values bound the spectrum from inside, so λ_max is
 * slightly under- and λ_min over-estimated; the digital side uses them to choose the
 * Euler–Maruyama step and the analog time budget, the way a device driver would calibrate.
 */
record SpectrumEstimate(double min, double max) {

    static SpectrumEstimate lanczos(LinearOperator a, int n, int steps, long seed) {
        int k = Math.min(steps, n);
        double[][] q = new double[k + 1][];
        double[] alpha = new double[k], beta = new double[k];
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextDouble(-1, 1);
        scale(v, 1 / norm(v));
        q[0] = v;
        double[] w = new double[n];
        int m = k;
        for (int j = 0; j < k; j++) {
            a.apply(q[j], w);
            alpha[j] = dot(w, q[j]);
            for (int i = 0; i <= j; i++) { // full re-orthogonalisation (twice is enough: Kahan–Parlett)
                double c = dot(w, q[i]);
                for (int t = 0; t < n; t++) w[t] -= c * q[i][t];
            }
            for (int i = 0; i <= j; i++) {
                double c = dot(w, q[i]);
                for (int t = 0; t < n; t++) w[t] -= c * q[i][t];
            }
            double b = norm(w);
            if (j + 1 < k) {
                if (b < 1e-12 * Math.abs(alpha[j]) + 1e-300) { m = j + 1; break; } // invariant subspace found
                beta[j] = b;
                q[j + 1] = w.clone();
                scale(q[j + 1], 1 / b);
            }
        }
        double[][] t = new double[m][m];
        for (int j = 0; j < m; j++) {
            t[j][j] = alpha[j];
            if (j + 1 < m) t[j][j + 1] = t[j + 1][j] = beta[j];
        }
        SymmetricEigen e = SymmetricEigen.of(t);
        return new SpectrumEstimate(e.min(), e.max());
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }
}
