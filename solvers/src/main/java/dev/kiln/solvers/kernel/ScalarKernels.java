package dev.kiln.solvers.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * Plain scalar reference kernels: the BLAS-1 operations and the CSR product a Krylov solver
 * is made of, written as the obvious loops.
 *
 * <p>Why they exist: they are the reference path that faster kernels (Vector API, OpenCL)
 * are checked against, and the kernels the portable solvers in this module run on. They do
 * no argument checks and never allocate: callers validate shapes once at the edge (see
 * {@code CsrMatrix.of}, {@code LinearProblem.of}) and own the buffers. Every kernel works on
 * the first {@code n} elements, so workspaces may be longer than the system.
 *
 * <p>Summation is strictly left to right; vectorised variants reorder it and so agree with
 * these only to rounding. {@link #norm2} is {@code sqrt(dot(x, x))} without scaling: it
 * overflows for |x_i| beyond about 1e154 (LAPACK's dnrm2 scales; the reference does not).
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** Returns xᵀy over the first n elements. */
    public static double dot(int n, double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /** Returns the Euclidean norm ‖x‖₂ = sqrt(xᵀx) over the first n elements (unscaled). */
    public static double norm2(int n, double[] x) {
        return Math.sqrt(dot(n, x, x));
    }

    /** y ← y + a·x (BLAS daxpy). */
    public static void axpy(int n, double a, double[] x, double[] y) {
        for (int i = 0; i < n; i++) y[i] += a * x[i];
    }

    /** y ← x + a·y (the CG search-direction update p ← z + β·p). */
    public static void xpay(int n, double[] x, double a, double[] y) {
        for (int i = 0; i < n; i++) y[i] = x[i] + a * y[i];
    }

    /** x ← a·x (BLAS dscal). */
    public static void scale(int n, double a, double[] x) {
        for (int i = 0; i < n; i++) x[i] *= a;
    }

    /** y ← x (first n elements). */
    public static void copy(int n, double[] x, double[] y) {
        System.arraycopy(x, 0, y, 0, n);
    }

    /**
     * y ← A·x for A in CSR form with {@code rows} rows (Saad, "Iterative Methods for Sparse
     * Linear Systems", 2nd ed., §3.4: one dot product per row).
     */
    public static void spmv(int rows, int[] rowPtr, int[] colIdx, double[] values, double[] x, double[] y) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += values[k] * x[colIdx[k]];
            y[i] = s;
        }
    }

    /** y ← A·x. */
    public static void spmv(CsrMatrix a, double[] x, double[] y) {
        spmv(a.rows(), a.rowPtr(), a.colIdx(), a.values(), x, y);
    }

    /** r ← b − A·x, fused row by row (x and r must not alias). */
    public static void residual(int rows, int[] rowPtr, int[] colIdx, double[] values,
                                double[] x, double[] b, double[] r) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += values[k] * x[colIdx[k]];
            r[i] = b[i] - s;
        }
    }

    /**
     * The fused CG vector update (one pass over memory instead of four; the fusion ViennaCL's
     * {@code cg_vector_update} does): x ← x + α·p, r ← r − α·q and, when {@code invDiag} is
     * given, z ← invDiag∘r. Writes rᵀz (rᵀr without {@code invDiag}) to {@code out[0]} and rᵀr
     * to {@code out[1]}.
     */
    public static void cgUpdate(int n, double alpha, double[] p, double[] q, double[] x, double[] r,
                                double[] invDiag, double[] z, double[] out) {
        double rz = 0, rr = 0;
        if (invDiag == null) {
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                double ri = r[i] - alpha * q[i];
                r[i] = ri;
                rr += ri * ri;
            }
            rz = rr;
        } else {
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                double ri = r[i] - alpha * q[i];
                r[i] = ri;
                double zi = invDiag[i] * ri;
                z[i] = zi;
                rr += ri * ri;
                rz += ri * zi;
            }
        }
        out[0] = rz;
        out[1] = rr;
    }

    /** y ← A·x and returns xᵀy (the CG curvature pᵀAp fused into the product). */
    public static double spmvDot(int rows, int[] rowPtr, int[] colIdx, double[] values, double[] x, double[] y) {
        double d = 0;
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += values[k] * x[colIdx[k]];
            y[i] = s;
            d += x[i] * s;
        }
        return d;
    }

    /** r ← b − A·x (x and r must not alias). */
    public static void residual(CsrMatrix a, double[] x, double[] b, double[] r) {
        residual(a.rows(), a.rowPtr(), a.colIdx(), a.values(), x, b, r);
    }
}
