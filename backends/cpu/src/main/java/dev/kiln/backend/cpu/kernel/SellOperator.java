package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperator;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link SellMatrix} with full-width SIMD, one lane per row, chunks split over the
 * {@link WorkerPool} by stored entries. Each chunk step is a contiguous load of C values and C
 * column indices, a gather of x and an FMA; two accumulators alternate between steps so
 * consecutive FMAs do not wait on each other.
 *
 * <p>One instance per solve (carries the step's arguments in fields); not thread-safe.
 */
public final class SellOperator implements SparseOperator, WorkerPool.Task {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    private static final int PAD = 8;
    private static final int APPLY = 0, APPLY_DOT = 1, RESIDUAL = 2;

    private final SellMatrix m;
    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;
    private final double[] scratch;
    private int op;
    private double[] x, y, b;

    public SellOperator(SellMatrix m, WorkerPool pool, int parts) {
        if (m.c != LANES) throw new IllegalArgumentException("chunk size " + m.c + " must equal the SIMD width " + LANES);
        this.m = m;
        this.pool = pool;
        this.partition = parts <= 1 ? RowPartition.single(m.rows) : RowPartition.balanced(m.rows, m.chunkPtr, m.c, parts);
        this.partial = new double[partition.parts() * PAD];
        this.scratch = new double[partition.parts() * 2 * LANES];  // 2·LANES apart: no shared cache line
    }

    /** The row partition (chunk-aligned), for vector kernels that should follow it. */
    public RowPartition partition() { return partition; }

    public SellMatrix matrix() { return m; }

    @Override public int rows() { return m.rows; }
    @Override public long nnz() { return m.nnz; }
    @Override public String format() { return "sell-" + m.c + "-" + m.sigma; }

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
        int c = m.c;
        int fromChunk = (partition.start(part) + c - 1) / c;   // boundaries are chunk-aligned except n
        int toChunk = (partition.end(part) + c - 1) / c;
        partial[part * PAD] = spmv(m, x, y, b, op, fromChunk, toChunk, scratch, part * 2 * LANES);
    }

    /** Chunks [from, to): y = A·x, or y = b − A·x (op RESIDUAL); returns xᵀ(A·x) over the rows for APPLY_DOT. */
    static double spmv(SellMatrix m, double[] x, double[] y, double[] b, int op, int from, int to,
                       double[] scratch, int scratchOff) {
        final double[] val = m.values;
        final int[] col = m.cols;
        final int[] perm = m.perm;
        final int[] ptr = m.chunkPtr, len = m.chunkLen;
        final int rows = m.rows;
        DoubleVector dotAcc = DoubleVector.zero(SPECIES);
        double dotScalar = 0;
        for (int k = from; k < to; k++) {
            int off = ptr[k];
            int steps = len[k];
            DoubleVector acc0 = DoubleVector.zero(SPECIES), acc1 = acc0;
            int j = 0;
            for (; j + 1 < steps; j += 2, off += 2 * LANES) {
                acc0 = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc0);
                acc1 = DoubleVector.fromArray(SPECIES, val, off + LANES)
                        .fma(DoubleVector.fromArray(SPECIES, x, 0, col, off + LANES), acc1);
            }
            if (j < steps) {
                acc0 = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc0);
            }
            DoubleVector ax = acc0.add(acc1);
            int base = k * LANES;
            if (perm == null && base + LANES <= rows) {
                if (op == RESIDUAL) DoubleVector.fromArray(SPECIES, b, base).sub(ax).intoArray(y, base);
                else ax.intoArray(y, base);
                if (op == APPLY_DOT) dotAcc = DoubleVector.fromArray(SPECIES, x, base).fma(ax, dotAcc);
            } else {
                // Sorted rows, or the last partial chunk: store the chunk contiguously, then write
                // the rows with scalar stores. (The Vector API's index-mapped scatter is not
                // intrinsified for doubles on x86 and runs ~50x slower through its Java fallback;
                // masked tails deoptimised the loop on small matrices: both measured with
                // ./kiln bench spmv and cg.)
                ax.intoArray(scratch, scratchOff);
                for (int l = 0; l < LANES && base + l < rows; l++) {
                    int row = perm == null ? base + l : perm[base + l];
                    double v = scratch[scratchOff + l];
                    y[row] = op == RESIDUAL ? b[row] - v : v;
                    dotScalar += x[row] * v;
                }
            }
        }
        return op == APPLY_DOT ? dotAcc.reduceLanes(VectorOperators.ADD) + dotScalar : 0;
    }
}
