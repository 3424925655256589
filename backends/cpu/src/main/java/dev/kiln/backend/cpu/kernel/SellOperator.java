package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link SellMatrix} with full-width SIMD, one lane per row, chunks split over the
 * {@link WorkerPool} by stored entries. Each chunk step is a contiguous load of C values and C
 * column indices, a gather of x and an FMA into one accumulator per chunk (consecutive chunks
 * are independent, so the core overlaps their FMA chains; a second accumulator needed an odd-step
 * branch, see below).
 *
 * <p><b>Why one kernel method per operation and layout, with no {@code if} inside.</b> C2 compiles
 * a branch that its profile has never seen taken as an uncommon trap. The first version had one
 * kernel for apply/applyDot/residual, sorted/unsorted rows and the last partial chunk, so every
 * new kind of matrix or call (a sorted matrix after Poisson, n not a multiple of C, the first
 * residual) hit a trap, threw the compiled kernel away and ran it in the interpreter until C2
 * recompiled it — and Vector API code outside C2 is not intrinsified: it allocates a box per
 * operation and ran 400× slower (bcsstk13: 17.7 ms instead of 46 µs per product), for seconds on
 * this loaded machine (-Xlog:deoptimization showed unstable_if traps at each new matrix; measured
 * with ./kiln bench spmv, see docs/ARCHITECTURE.md). Here each vector kernel contains only loops
 * whose both exits every ordinary call takes, the operation and layout are chosen once per call in
 * {@link #run}, and the last partial chunk is done by scalar code in {@link #tail}; the branches
 * left in {@code run} are per-instance constants that {@link KernelWarmUp} takes both ways.
 * {@code apply} runs the {@code applyDot} kernel and drops the dot (one FMA per chunk on x that
 * the gather has just brought into cache): one compiled kernel fewer per layout.
 *
 * <p>One instance per solve (carries the step's arguments in fields); not thread-safe.
 */
public final class SellOperator extends PartitionedOperator {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private final SellMatrix m;
    private final int fullChunks;          // chunks with C real rows; a last partial one is the tail
    private final int tailPart;            // the part holding the tail chunk, or −1
    private final double[] scratch;

    public SellOperator(SellMatrix m, WorkerPool pool, int parts) {
        super(pool, split(m, parts));
        this.m = m;
        this.fullChunks = m.rows / m.c;
        this.tailPart = tailPart(partition(), m.rows, m.c);
        this.scratch = new double[partition().parts() * 2 * LANES];  // 2·LANES apart: no shared cache line
    }

    /** A's rows over {@code parts} parts balanced by stored entries, chunk-aligned; A's chunks must be the SIMD width. */
    static RowPartition split(SellMatrix m, int parts) {
        if (m.c != LANES) throw new IllegalArgumentException("chunk size " + m.c + " must equal the SIMD width " + LANES);
        return parts <= 1 ? RowPartition.single(m.rows) : RowPartition.balanced(m.rows, m.chunkPtr, m.c, parts);
    }

    /** The part whose rows include the partial last chunk, or −1 when n is a multiple of c. */
    static int tailPart(RowPartition partition, int rows, int c) {
        if (rows % c == 0) return -1;
        for (int p = partition.parts() - 1; p >= 0; p--) if (partition.start(p) < rows && partition.end(p) == rows) return p;
        return -1;
    }

    public SellMatrix matrix() { return m; }

    @Override public int rows() { return m.rows; }
    @Override public long nnz() { return m.nnz; }
    @Override public String format() { return "sell-" + m.c + "-" + m.sigma; }

    @Override
    public void run(int part) {
        SellMatrix a = m;
        int c = a.c;
        int from = (partition().start(part) + c - 1) / c;    // boundaries are chunk-aligned except n
        int to = (partition().end(part) + c - 1) / c;
        int full = Math.min(to, fullChunks);
        int so = part * 2 * LANES;
        double d = 0;
        if (a.perm == null) {
            if (op == RESIDUAL) residualNatural(a.values, a.cols, a.chunkPtr, a.chunkLen, x, b, y, from, full);
            else d = productNatural(a.values, a.cols, a.chunkPtr, a.chunkLen, x, y, from, full);
        } else {
            if (op == RESIDUAL) residualSorted(a.values, a.cols, a.chunkPtr, a.chunkLen, a.perm, x, b, y, from, full, scratch, so);
            else d = productSorted(a.values, a.cols, a.chunkPtr, a.chunkLen, a.perm, x, y, from, full, scratch, so);
        }
        if (part == tailPart) d += tail(a, x, y, b, op, fullChunks);
        partDot(part, d);
    }

    // ---- rows in natural order: y is stored a chunk (C rows) at a time ----

    /** y = A·x over full chunks [from, to) and returns xᵀy over their rows. */
    static double productNatural(double[] val, int[] col, int[] ptr, int[] len, double[] x, double[] y, int from, int to) {
        DoubleVector dot = DoubleVector.zero(SPECIES);
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                acc = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc);
            }
            int base = k * LANES;
            acc.intoArray(y, base);
            dot = DoubleVector.fromArray(SPECIES, x, base).fma(acc, dot);
        }
        return dot.reduceLanes(VectorOperators.ADD);
    }

    /** r = b − A·x over full chunks [from, to). */
    static void residualNatural(double[] val, int[] col, int[] ptr, int[] len, double[] x, double[] b, double[] r, int from, int to) {
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                acc = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc);
            }
            int base = k * LANES;
            DoubleVector.fromArray(SPECIES, b, base).sub(acc).intoArray(r, base);
        }
    }

    // ---- rows sorted within σ windows: a chunk's C results go to rows perm[kC .. kC+C) ----
    // The Vector API's index-mapped scatter is not intrinsified for doubles on x86 and ran ~50×
    // slower through its Java fallback (measured with ./kiln bench spmv), so a chunk is stored to
    // scratch and written out with C scalar stores (a loop of constant trip count).

    /** y = A·x over full chunks [from, to) of a row-sorted matrix; returns xᵀy over their rows. */
    static double productSorted(double[] val, int[] col, int[] ptr, int[] len, int[] perm, double[] x, double[] y,
                                 int from, int to, double[] scratch, int so) {
        double dot = 0;
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                acc = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc);
            }
            acc.intoArray(scratch, so);
            int base = k * LANES;
            for (int l = 0; l < LANES; l++) {
                int row = perm[base + l];
                double v = scratch[so + l];
                y[row] = v;
                dot = Math.fma(x[row], v, dot);
            }
        }
        return dot;
    }

    /** r = b − A·x over full chunks [from, to) of a row-sorted matrix. */
    static void residualSorted(double[] val, int[] col, int[] ptr, int[] len, int[] perm, double[] x, double[] b,
                               double[] r, int from, int to, double[] scratch, int so) {
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                acc = DoubleVector.fromArray(SPECIES, val, off).fma(DoubleVector.fromArray(SPECIES, x, 0, col, off), acc);
            }
            acc.intoArray(scratch, so);
            int base = k * LANES;
            for (int l = 0; l < LANES; l++) {
                int row = perm[base + l];
                r[row] = b[row] - scratch[so + l];
            }
        }
    }

    /**
     * The last chunk when n is not a multiple of C: scalar, row by row (its padded slots beyond n
     * hold zeros and must not be written). Returns its share of xᵀ(A·x) for APPLY_DOT.
     */
    static double tail(SellMatrix a, double[] x, double[] y, double[] b, int op, int k) {
        int c = a.c, base = k * c, start = a.chunkPtr[k], steps = a.chunkLen[k];
        double dot = 0;
        for (int l = 0; base + l < a.rows; l++) {
            double s = 0;
            for (int j = 0, off = start + l; j < steps; j++, off += c) s = Math.fma(a.values[off], x[a.cols[off]], s);
            int row = a.perm == null ? base + l : a.perm[base + l];
            y[row] = op == RESIDUAL ? b[row] - s : s;
            dot = Math.fma(x[row], s, dot);
        }
        return dot;
    }
}
