package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link SellMatrixFp32}: values, x and y in fp32, products and sums in fp64. A
 * chunk step loads C fp32 values (half a vector register) and gathers C fp32 entries of x, widens
 * both to fp64 and does one fp64 FMA, so the SIMD width and chunk layout are those of the fp64
 * {@link SellOperator} while the matrix and vectors move half the bytes. Structure, and why each
 * operation and layout is its own branch-free method: see {@link SellOperator}.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class SellOperatorFp32 extends PartitionedOperatorFp32 {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** As many fp32 lanes as DS has fp64 lanes (half its bits). */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    static final int LANES = DS.length();

    private final SellMatrixFp32 m;
    private final int fullChunks;
    private final int tailPart;
    private final double[] scratch;

    public SellOperatorFp32(SellMatrixFp32 m, WorkerPool pool, int parts) {
        super(pool, SellOperator.split(m.layout, parts));
        SellMatrix s = m.layout;
        this.m = m;
        this.fullChunks = s.rows / s.c;
        this.tailPart = SellOperator.tailPart(partition(), s.rows, s.c);
        this.scratch = new double[partition().parts() * 2 * LANES];
    }

    @Override public int rows() { return m.layout.rows; }
    @Override public long nnz() { return m.layout.nnz; }
    @Override public String format() { return "sell-" + m.layout.c + "-" + m.layout.sigma + "-fp32"; }

    @Override
    public void run(int part) {
        SellMatrix a = m.layout;
        float[] val = m.values;
        int c = a.c;
        int from = (partition().start(part) + c - 1) / c;
        int to = (partition().end(part) + c - 1) / c;
        int full = Math.min(to, fullChunks);
        int so = part * 2 * LANES;
        double d = 0;
        if (a.perm == null) d = productNatural(val, a.cols, a.chunkPtr, a.chunkLen, x, y, from, full);
        else d = productSorted(val, a.cols, a.chunkPtr, a.chunkLen, a.perm, x, y, from, full, scratch, so);
        if (part == tailPart) d += tail(m, x, y, fullChunks);
        partDot(part, d);
    }

    /** y = A·x over full chunks [from, to); returns xᵀ(A·x) over their rows in fp64. */
    static double productNatural(float[] val, int[] col, int[] ptr, int[] len, float[] x, float[] y, int from, int to) {
        DoubleVector dot = DoubleVector.zero(DS);
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FS, val, off).convertShape(VectorOperators.F2D, DS, 0);
                DoubleVector xv = (DoubleVector) FloatVector.fromArray(FS, x, 0, col, off).convertShape(VectorOperators.F2D, DS, 0);
                acc = v.fma(xv, acc);
            }
            int base = k * LANES;
            ((FloatVector) acc.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, base);
            DoubleVector xb = (DoubleVector) FloatVector.fromArray(FS, x, base).convertShape(VectorOperators.F2D, DS, 0);
            dot = xb.fma(acc, dot);
        }
        return dot.reduceLanes(VectorOperators.ADD);
    }

    /** y = A·x over full chunks [from, to) of a row-sorted matrix (scalar stores, as in {@link SellOperator}); returns xᵀ(A·x) in fp64. */
    static double productSorted(float[] val, int[] col, int[] ptr, int[] len, int[] perm, float[] x, float[] y,
                                 int from, int to, double[] scratch, int so) {
        double dot = 0;
        for (int k = from; k < to; k++) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (int off = ptr[k], end = off + len[k] * LANES; off < end; off += LANES) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FS, val, off).convertShape(VectorOperators.F2D, DS, 0);
                DoubleVector xv = (DoubleVector) FloatVector.fromArray(FS, x, 0, col, off).convertShape(VectorOperators.F2D, DS, 0);
                acc = v.fma(xv, acc);
            }
            acc.intoArray(scratch, so);
            int base = k * LANES;
            for (int l = 0; l < LANES; l++) {
                int row = perm[base + l];
                double s = scratch[so + l];
                y[row] = (float) s;
                dot = Math.fma(x[row], s, dot);
            }
        }
        return dot;
    }

    /** The last, partial chunk: scalar. Returns its share of xᵀ(A·x). */
    static double tail(SellMatrixFp32 m, float[] x, float[] y, int k) {
        SellMatrix a = m.layout;
        int c = a.c, base = k * c, start = a.chunkPtr[k], steps = a.chunkLen[k];
        double dot = 0;
        for (int l = 0; base + l < a.rows; l++) {
            double s = 0;
            for (int j = 0, off = start + l; j < steps; j++, off += c) s = Math.fma(m.values[off], x[a.cols[off]], s);
            int row = a.perm == null ? base + l : a.perm[base + l];
            y[row] = (float) s;
            dot = Math.fma(x[row], s, dot);
        }
        return dot;
    }
}
