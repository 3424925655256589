package dev.kiln.solvers.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * A {@link CsrMatrix} rounded to fp32 as a {@link SparseOperatorFp32} on plain loops, one thread:
 * the reference, and what backends fall back to for layouts they have no fp32 kernel for.
 */
public final class ScalarCsrOperatorFp32 implements SparseOperatorFp32 {
    private final int rows;
    private final int[] rowPtr, colIdx;
    private final float[] values;

    public ScalarCsrOperatorFp32(CsrMatrix a) {
        this.rows = a.rows();
        this.rowPtr = a.rowPtr();
        this.colIdx = a.colIdx();
        double[] v = a.values();
        this.values = new float[a.nnz()];
        for (int k = 0; k < values.length; k++) values[k] = (float) v[k];
    }

    @Override public int rows() { return rows; }
    @Override public long nnz() { return values.length; }
    @Override public String format() { return "csr-fp32"; }

    @Override
    public void apply(float[] x, float[] y) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += (double) values[k] * x[colIdx[k]];
            y[i] = (float) s;
        }
    }

    @Override
    public double applyDot(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += (double) values[k] * x[colIdx[k]];
            y[i] = (float) s;
            d += x[i] * s;
        }
        return d;
    }
}
