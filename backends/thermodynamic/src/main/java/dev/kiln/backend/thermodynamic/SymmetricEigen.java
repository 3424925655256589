package dev.kiln.backend.thermodynamic;

/**
 * Eigen-decomposition of a small dense symmetric matrix by the cyclic Jacobi method (Golub &
 * Van Loan, "Matrix Computations", 4th ed., Alg. 8.5.3), accurate to working precision. Used
 * only to build exact Ornstein–Uhlenbeck transitions for small devices, and on the small
 * tridiagonal matrices of Lanczos.
 */
final class SymmetricEigen {
    final double[] values;
    /** Column k of {@code vectors} (vectors[i][k]) is the eigenvector of values[k]. */
    final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = matrix[i].clone();
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) v[i][i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
                total += a[i][j] * a[i][j];
                if (i != j) off += a[i][j] * a[i][j];
            }
            if (off <= 1e-30 * total) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (Math.abs(apq) < 1e-300) continue;
                    // Symmetric Schur 2×2 (Golub & Van Loan Alg. 8.5.1).
                    double tau = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(tau) == 0 ? 1 : Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
                    double c = 1 / Math.sqrt(1 + t * t), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i][i];
        return new SymmetricEigen(values, v);
    }

    double min() {
        double m = Double.POSITIVE_INFINITY;
        for (double x : values) m = Math.min(m, x);
        return m;
    }

    double max() {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : values) m = Math.max(m, x);
        return m;
    }
}
