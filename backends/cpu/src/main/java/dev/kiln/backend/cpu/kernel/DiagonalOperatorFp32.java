package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link DiagonalMatrixFp32}: values, x and y in fp32, sums in fp64. A step covers
 * 4·C consecutive rows as four independent C-row chains; for each diagonal it multiplies C fp32
 * values by C fp32 entries of x in fp32, widens the product to fp64 and adds it to the chain's fp64
 * sum — the layout and threading of the fp64 {@link DiagonalOperator} at half its bytes.
 *
 * <p>Why the product is rounded to fp32 before it is widened: widening both operands (two
 * conversions per product) made this kernel bound by conversions, not memory — 1.15–1.37× the fp64
 * product on a quiet machine, where one conversion per product and four chains give more (figures
 * and command in docs/ARCHITECTURE.md, issue 3, "fp32 DIA"). The product's rounding (2⁻²⁴
 * relative) is the same size as the rounding of the stored value it multiplies, and the sum over
 * the row stays in fp64 before the one rounding of y to fp32; an fp32 product overflows only where
 * |a_ij·x_j| > 3.4·10³⁸, which the mixed-precision solve that uses this kernel notices (no
 * progress) and leaves to fp64. The scalar tail and edge rows round the same way, so every row of
 * one product is computed alike.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class DiagonalOperatorFp32 extends PartitionedOperatorFp32 {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** As many fp32 lanes as DS has fp64 lanes (half its bits). */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    static final int LANES = DS.length();
    /** Rows per main-loop step: four chains of LANES rows. */
    static final int STEP = 4 * LANES;

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
        DoubleVector dot0 = DoubleVector.zero(DS), dot1 = DoubleVector.zero(DS);
        int i = from;
        // four chains: one chain's adds wait on each other, four keep the converter busy
        for (int bound = from + (to - from) / STEP * STEP; i < bound; i += STEP) {
            DoubleVector a0 = DoubleVector.zero(DS), a1 = DoubleVector.zero(DS), a2 = DoubleVector.zero(DS), a3 = DoubleVector.zero(DS);
            for (int d = 0, vo = i; d < nd; d++, vo += n) {
                int xo = i + off[d];
                a0 = a0.add(FloatVector.fromArray(FS, val, vo).mul(FloatVector.fromArray(FS, x, xo)).convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(FloatVector.fromArray(FS, val, vo + LANES).mul(FloatVector.fromArray(FS, x, xo + LANES)).convertShape(VectorOperators.F2D, DS, 0));
                a2 = a2.add(FloatVector.fromArray(FS, val, vo + 2 * LANES).mul(FloatVector.fromArray(FS, x, xo + 2 * LANES)).convertShape(VectorOperators.F2D, DS, 0));
                a3 = a3.add(FloatVector.fromArray(FS, val, vo + 3 * LANES).mul(FloatVector.fromArray(FS, x, xo + 3 * LANES)).convertShape(VectorOperators.F2D, DS, 0));
            }
            ((FloatVector) a0.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i);
            ((FloatVector) a1.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i + LANES);
            ((FloatVector) a2.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i + 2 * LANES);
            ((FloatVector) a3.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i + 3 * LANES);
            dot0 = ((DoubleVector) FloatVector.fromArray(FS, x, i).convertShape(VectorOperators.F2D, DS, 0)).fma(a0, dot0);
            dot1 = ((DoubleVector) FloatVector.fromArray(FS, x, i + LANES).convertShape(VectorOperators.F2D, DS, 0)).fma(a1, dot1);
            dot0 = ((DoubleVector) FloatVector.fromArray(FS, x, i + 2 * LANES).convertShape(VectorOperators.F2D, DS, 0)).fma(a2, dot0);
            dot1 = ((DoubleVector) FloatVector.fromArray(FS, x, i + 3 * LANES).convertShape(VectorOperators.F2D, DS, 0)).fma(a3, dot1);
        }
        for (int bound = from + DS.loopBound(to - from); i < bound; i += LANES) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (int d = 0, vo = i; d < nd; d++, vo += n) {
                acc = acc.add(FloatVector.fromArray(FS, val, vo).mul(FloatVector.fromArray(FS, x, i + off[d])).convertShape(VectorOperators.F2D, DS, 0));
            }
            ((FloatVector) acc.convertShape(VectorOperators.D2F, FS, 0)).intoArray(y, i);
            dot0 = ((DoubleVector) FloatVector.fromArray(FS, x, i).convertShape(VectorOperators.F2D, DS, 0)).fma(acc, dot0);
        }
        double s = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double t = 0;
            for (int d = 0, vo = i; d < nd; d++, vo += n) t += val[vo] * x[i + off[d]];
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
                if (j >= 0 && j < n) t += m.values[d * n + i] * x[j];   // fp32 product, as the interior
            }
            y[i] = (float) t;
            dot = Math.fma(x[i], t, dot);
        }
        return dot;
    }
}
