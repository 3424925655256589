package dev.kiln.solvers.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

/** A {@link CsrMatrix} as a {@link SparseOperator} on the scalar reference loops, one thread. */
public final class ScalarCsrOperator implements SparseOperator {
    private final CsrMatrix a;

    public ScalarCsrOperator(CsrMatrix a) {
        this.a = a;
    }

    public CsrMatrix matrix() { return a; }

    @Override public int rows() { return a.rows(); }
    @Override public long nnz() { return a.nnz(); }
    @Override public void apply(double[] x, double[] y) { ScalarKernels.spmv(a, x, y); }

    @Override
    public double applyDot(double[] x, double[] y) {
        return ScalarKernels.spmvDot(a.rows(), a.rowPtr(), a.colIdx(), a.values(), x, y);
    }

    @Override public void residual(double[] x, double[] b, double[] r) { ScalarKernels.residual(a, x, b, r); }
    @Override public String format() { return "csr"; }
}
