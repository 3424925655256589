package dev.kiln.solvers.krylov;

/**
 * Dense linear algebra on the small (k ≤ a few dozen) symmetric matrices that subspace recycling
 * projects onto: an eigen-decomposition by the cyclic Jacobi method and the pseudo-inverse it
 * gives. Not for large matrices: O(k³) per sweep.
 *
 * <p>Why Jacobi (Golub and Van Loan, "Matrix Computations", 4th ed., §8.5.2, Algorithm 8.5.3, the
 * cyclic Jacobi method): a few dozen lines, no dependency, and accurate to working precision in
 * the small eigenvalues too (Demmel and Veselić 1992), which are the ones deflation keeps. At
 * these sizes its cost is negligible beside one product with A.
 */
final class SmallSymmetric {
    /** Sweeps after which Jacobi stops even if the off-diagonal is not yet negligible (it converges quadratically, in well under 20). */
    static final int MAX_SWEEPS = 60;

    private SmallSymmetric() {}

    /**
     * Eigenvalues ascending and the matching orthonormal eigenvectors as columns:
     * {@code a = V·diag(values)·Vᵀ} with {@code vectors[i][j]} = V_ij.
     */
    record Eigen(double[] values, double[][] vectors) { }

    /** Eigen-decomposition of the symmetric matrix {@code a} (only its upper triangle is read; {@code a} is not modified). */
    static Eigen eigen(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) { m[i][j] = a[i][j]; m[j][i] = a[i][j]; }
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] == 0) continue;
                    // Symmetric Schur 2×2 (Golub and Van Loan, Algorithm 8.5.1): c, s zeroing m_pq.
                    double tau = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
                    if (tau == 0) t = 1;
                    double c = 1 / Math.sqrt(1 + t * t), s = t * c;
                    for (int k = 0; k < n; k++) {          // m ← m·J
                        double mkp = m[k][p], mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {          // m ← Jᵀ·m
                        double mpk = m[p][k], mqk = m[q][k];
                        m[p][k] = c * mpk - s * mqk;
                        m[q][k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {          // v ← v·J
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        // Sort ascending (selection sort: n is small), moving eigenvector columns along.
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i][i];
        for (int i = 0; i < n; i++) {
            int min = i;
            for (int j = i + 1; j < n; j++) if (values[j] < values[min]) min = j;
            if (min != i) {
                double t = values[i]; values[i] = values[min]; values[min] = t;
                for (int k = 0; k < n; k++) { double u = v[k][i]; v[k][i] = v[k][min]; v[k][min] = u; }
            }
        }
        return new Eigen(values, v);
    }

    /**
     * A pseudo-inverse of a symmetric positive semi-definite matrix: with D = diag(a), the
     * Moore–Penrose pseudo-inverse of the unit-diagonal D^{-1/2}·a·D^{-1/2}, dropping eigenvalues
     * at or below {@code relTol}·λ_max, mapped back as D^{-1/2}·(…)⁺·D^{-1/2}. Scaling first makes
     * the threshold mean "dependent to within √relTol in angle" whatever the vectors' lengths (a
     * Gram matrix of vectors of very different norms would otherwise lose its short vectors);
     * for a non-singular matrix the result is its inverse. Rows with a zero diagonal (zero
     * vectors) are left out. Null when a diagonal entry or an eigenvalue is negative beyond
     * rounding: the matrix is indefinite.
     */
    static double[][] pseudoInverse(double[][] a, double relTol) {
        int n = a.length;
        double[] d = new double[n];
        double dmax = 0;
        for (int i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(a[i][i]));
        for (int i = 0; i < n; i++) {
            if (a[i][i] < -relTol * dmax) return null;
            d[i] = a[i][i] > 0 ? 1 / Math.sqrt(a[i][i]) : 0;
        }
        double[][] scaled = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) scaled[i][j] = d[i] * a[i][j] * d[j];
        Eigen e = eigen(scaled);
        double max = n == 0 ? 0 : Math.max(Math.abs(e.values()[0]), Math.abs(e.values()[n - 1]));
        if (n > 0 && e.values()[0] < -relTol * max) return null;
        double[][] inv = new double[n][n];
        for (int k = 0; k < n; k++) {
            double lambda = e.values()[k];
            if (!(lambda > relTol * max)) continue;
            for (int i = 0; i < n; i++) {
                double vi = e.vectors()[i][k] / lambda;
                if (vi == 0) continue;
                for (int j = 0; j < n; j++) inv[i][j] += vi * e.vectors()[j][k];
            }
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) inv[i][j] *= d[i] * d[j];
        return inv;
    }

    /** y = M·x for a dense k×k M. */
    static void multiply(double[][] m, double[] x, double[] y) {
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) s += m[i][j] * x[j];
            y[i] = s;
        }
    }
}
