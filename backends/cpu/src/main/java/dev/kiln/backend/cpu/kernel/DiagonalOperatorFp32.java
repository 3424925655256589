package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link DiagonalMatrixFp32}: values, x and y in fp32, products and sums in fp64. A
 * step loads C fp32 values of a diagonal and C fp32 entries of x (half a register each), widens
 * both to fp64 and does one fp64 FMA — the layout and threading of the fp64
 * {@link DiagonalOperator} at half its bytes, which is the point: with no column indices, halving
 * the values halves nearly everything the product moves.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class DiagonalOperatorFp32 extends PartitionedOperatorFp32 {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** As many fp32 lanes as DS has fp64 lanes (half its bits). */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    static final int LANES = DS.length();

    private final DiagonalMatrixFp32 m;

    public DiagonalOperatorFp32(DiagonalMatrixFp32 m, WorkerPool pool, int parts) {
        super(pool, parts <= 1 ? RowPartition.single(m.layout.rows) : RowPartition.even(m.layout.rows, LANES, parts));
        this.m = m;
    }

    @Override public int rows() { return m.layout.rows; }
    @Override public long nnz() { return m.layout.nnz; }
    @Override public String format() { return "dia-" + m.layout.offsets.length + "-fp32"; }

    @Override
    public void run(int part) {
        DiagonalMatrix a = m.layout;
        int s = partition().start(part), e = partition().end(part);
        int from = Math.min(Math.max(a.interiorStart, s), e);
        int to = Math.min(Math.max(a.interiorEnd, from), e);
        double d = edge(m, x, y, s, from) + edge(m, x, y, to, e);
        d += productInterior(m.values, a.offsets, a.rows, x, y, from, to);
        partDot(part, d);
    }

    /** y = A·x over interior rows [from, to); returns xᵀ(A·x) over them in fp64. */
    static double productInterior(float[] val, int[] off, int n, float[] x, float[] y, int from, int to) {
        int nd = off.length;
        DoubleVector dot = DoubleVector.zero(DS);
        int i = from;
        for (int bound = from + DS.loopBound(to - from); i < bound; i += LANES) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (int d = 0, vo = i; d < nd; d++, vo += n) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FS, val, vo).convertShape(VectorOperators.F2D, DS, 0);
                DoubleVector xv = (DoubleVector) FloatVector.fromArray(FS, x, i + off[d]).convertShape(VectorOperators.F2D, DS, 0);
                acc = v.fma(xv, acc);
            }
            ((FloatVector) acc.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i);
            DoubleVector xi = (DoubleVector) FloatVector.fromArray(FS, x, i).convertShape(VectorOperators.F2D, DS, 0);
            dot = xi.fma(acc, dot);
        }
        double s = dot.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double t = 0;
            for (int d = 0, vo = i; d < nd; d++, vo += n) t = Math.fma(val[vo], x[i + off[d]], t);
            y[i] = (float) t;
            s = Math.fma(x[i], t, s);
        }
        return s;
    }

    /** Edge rows [from, to): scalar, column checked. Returns their share of xᵀ(A·x). */
    static double edge(DiagonalMatrixFp32 m, float[] x, float[] y, int from, int to) {
        DiagonalMatrix a = m.layout;
        int n = a.rows, nd = a.offsets.length;
        double dot = 0;
        for (int i = from; i < to; i++) {
            double t = 0;
            for (int d = 0; d < nd; d++) {
                int j = i + a.offsets[d];
                if (j >= 0 && j < n) t = Math.fma(m.values[d * n + i], x[j], t);
            }
            y[i] = (float) t;
            dot = Math.fma(x[i], t, dot);
        }
        return dot;
    }
}
