package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.matrix.CsrMatrix;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x in CSR, rows split over the {@link WorkerPool} by non-zeros. A row at least
 * {@link #VECTOR_ROW} long is reduced with SIMD (contiguous values, gathered x); shorter rows
 * take the scalar loop, which C2 unrolls and which beats a gather that fills few lanes. Chosen
 * for matrices whose rows vary so much that SELL-C-σ would pad heavily.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class CsrOperator implements SparseOperator, WorkerPool.Task {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows shorter than two SIMD widths are summed scalar: a partial vector plus a reduction costs more. */
    static final int VECTOR_ROW = 2 * LANES;
    private static final int PAD = 8;
    private static final int APPLY = 0, APPLY_DOT = 1, RESIDUAL = 2;

    private final CsrMatrix a;
    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;
    private int op;
    private double[] x, y, b;

    public CsrOperator(CsrMatrix a, WorkerPool pool, int parts) {
        this.a = a;
        this.pool = pool;
        this.partition = parts <= 1 ? RowPartition.single(a.rows()) : RowPartition.balanced(a.rows(), a.rowPtr(), 1, parts);
        this.partial = new double[partition.parts() * PAD];
    }

    public RowPartition partition() { return partition; }

    @Override public int rows() { return a.rows(); }
    @Override public long nnz() { return a.nnz(); }
    @Override public String format() { return "csr"; }

    private void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
    }

    @Override
    public void apply(double[] x, double[] y) {
        op = APPLY; this.x = x; this.y = y;
        step();
    }

    @Override
    public double applyDot(double[] x, double[] y) {
        op = APPLY_DOT; this.x = x; this.y = y;
        step();
        double s = 0;
        for (int p = 0; p < partition.parts(); p++) s += partial[p * PAD];
        return s;
    }

    @Override
    public void residual(double[] x, double[] b, double[] r) {
        op = RESIDUAL; this.x = x; this.b = b; this.y = r;
        step();
    }

    @Override
    public void run(int part) {
        partial[part * PAD] = spmv(a.rowPtr(), a.colIdx(), a.values(), x, y, b, op, partition.start(part), partition.end(part));
    }

    static double spmv(int[] rp, int[] ci, double[] val, double[] x, double[] y, double[] b, int op, int from, int to) {
        double dot = 0;
        for (int i = from; i < to; i++) {
            int k = rp[i], end = rp[i + 1];
            double s;
            if (end - k >= VECTOR_ROW) {
                DoubleVector acc = DoubleVector.zero(SPECIES);
                int bound = k + SPECIES.loopBound(end - k);
                for (; k < bound; k += LANES) {
                    acc = DoubleVector.fromArray(SPECIES, val, k).fma(DoubleVector.fromArray(SPECIES, x, 0, ci, k), acc);
                }
                s = acc.reduceLanes(VectorOperators.ADD);
            } else {
                s = 0;
            }
            for (; k < end; k++) s += val[k] * x[ci[k]];
            if (op == RESIDUAL) y[i] = b[i] - s;
            else y[i] = s;
            if (op == APPLY_DOT) dot += x[i] * s;
        }
        return dot;
    }
}
