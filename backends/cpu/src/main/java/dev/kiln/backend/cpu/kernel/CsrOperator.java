package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x in CSR, rows split over the {@link WorkerPool} by non-zeros; chosen for matrices whose
 * rows vary so much that SELL-C-σ would pad heavily. When the mean row holds at least
 * {@link #VECTOR_ROW} entries each row is reduced with SIMD (contiguous values, gathered x, one
 * reduction per row); otherwise rows take the scalar loop, which C2 unrolls and which beats a
 * gather that fills few lanes plus a reduction.
 *
 * <p>The choice is made once per matrix, not per row: a per-row branch whose one side a matrix
 * never takes is compiled as an uncommon trap, and the next matrix that takes it throws the
 * compiled kernel away (see {@link SellOperator} for what that cost). For the same reason the
 * vector loop stops one element short of a whole number of SIMD steps, so the scalar remainder
 * loop runs 1..C times in every non-empty row instead of never in some matrices. As in
 * {@link SellOperator}, {@code apply} runs the {@code applyDot} kernel and drops the dot.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class CsrOperator extends PartitionedOperator {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Mean row length from which rows are reduced with SIMD: two SIMD widths, below which a partial vector plus a reduction costs more. */
    static final int VECTOR_ROW = 2 * LANES;

    private final CsrMatrix a;
    private final boolean vectorRows;

    public CsrOperator(CsrMatrix a, WorkerPool pool, int parts) {
        super(pool, parts <= 1 ? RowPartition.single(a.rows()) : RowPartition.balanced(a.rows(), a.rowPtr(), 1, parts));
        this.a = a;
        this.vectorRows = a.rows() > 0 && a.nnz() >= (long) VECTOR_ROW * a.rows();
    }

    @Override public int rows() { return a.rows(); }
    @Override public long nnz() { return a.nnz(); }
    @Override public String format() { return vectorRows ? "csr-simd" : "csr"; }

    @Override
    public void run(int part) {
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        int from = partition().start(part), to = partition().end(part);
        double d = 0;
        if (vectorRows) {
            if (op == RESIDUAL) residualSimdRows(rp, ci, v, x, b, y, from, to);
            else d = productSimdRows(rp, ci, v, x, y, from, to);
        } else {
            if (op == RESIDUAL) residualScalarRows(rp, ci, v, x, b, y, from, to);
            else d = productScalarRows(rp, ci, v, x, y, from, to);
        }
        partDot(part, d);
    }

    /** Σ_k val[k]·x[ci[k]] over one row: SIMD over all but the last 1..C entries, which are scalar. */
    private static double rowSimd(int[] ci, double[] val, double[] x, int k, int end) {
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int bound = k + SPECIES.loopBound(end - k - 1); k < bound; k += LANES) {
            acc = DoubleVector.fromArray(SPECIES, val, k).fma(DoubleVector.fromArray(SPECIES, x, 0, ci, k), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; k < end; k++) s = Math.fma(val[k], x[ci[k]], s);
        return s;
    }


    static double productSimdRows(int[] rp, int[] ci, double[] val, double[] x, double[] y, int from, int to) {
        double dot = 0;
        for (int i = from; i < to; i++) {
            double s = rowSimd(ci, val, x, rp[i], rp[i + 1]);
            y[i] = s;
            dot = Math.fma(x[i], s, dot);
        }
        return dot;
    }

    static void residualSimdRows(int[] rp, int[] ci, double[] val, double[] x, double[] b, double[] r, int from, int to) {
        for (int i = from; i < to; i++) r[i] = b[i] - rowSimd(ci, val, x, rp[i], rp[i + 1]);
    }


    static double productScalarRows(int[] rp, int[] ci, double[] val, double[] x, double[] y, int from, int to) {
        double dot = 0;
        for (int i = from; i < to; i++) {
            double s = 0;
            for (int k = rp[i], end = rp[i + 1]; k < end; k++) s = Math.fma(val[k], x[ci[k]], s);
            y[i] = s;
            dot = Math.fma(x[i], s, dot);
        }
        return dot;
    }

    static void residualScalarRows(int[] rp, int[] ci, double[] val, double[] x, double[] b, double[] r, int from, int to) {
        for (int i = from; i < to; i++) {
            double s = 0;
            for (int k = rp[i], end = rp[i + 1]; k < end; k++) s = Math.fma(val[k], x[ci[k]], s);
            r[i] = b[i] - s;
        }
    }
}
