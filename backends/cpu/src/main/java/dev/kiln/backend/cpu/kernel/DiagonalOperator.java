package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = A·x on a {@link DiagonalMatrix} with full-width SIMD: a step covers C consecutive rows and,
 * for each diagonal d, loads C values of d and C entries of x starting at {@code i + offset[d]} —
 * contiguous loads, no gather, no column indices. Rows are split evenly over the
 * {@link WorkerPool} (every row has the same work). Rows near the top and bottom whose diagonals
 * leave the matrix are done by scalar code with bounds checks ({@link #edge}); for a grid of side
 * m that is 2m rows of m² or 2m² of m³.
 *
 * <p>One kernel method per operation and no {@code if} inside, for the reason given in
 * {@link SellOperator}: a branch C2 never saw taken is compiled as a trap. {@code apply} runs the
 * {@code applyDot} kernel and drops the dot.
 *
 * <p>One instance per solve (carries the step's arguments in fields); not thread-safe.
 */
public final class DiagonalOperator extends PartitionedOperator {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private final DiagonalMatrix m;

    public DiagonalOperator(DiagonalMatrix m, WorkerPool pool, int parts) {
        super(pool, parts <= 1 ? RowPartition.single(m.rows) : RowPartition.even(m.rows, LANES, parts));
        this.m = m;
    }

    public DiagonalMatrix matrix() { return m; }

    @Override public int rows() { return m.rows; }
    @Override public long nnz() { return m.nnz; }
    @Override public String format() { return "dia-" + m.offsets.length; }

    @Override
    public void run(int part) {
        DiagonalMatrix a = m;
        int s = partition().start(part), e = partition().end(part);
        int from = Math.min(Math.max(a.interiorStart, s), e);   // [s, from) and [to, e) are edge rows
        int to = Math.min(Math.max(a.interiorEnd, from), e);
        boolean residual = op == RESIDUAL;
        double d = edge(a, x, y, b, residual, s, from) + edge(a, x, y, b, residual, to, e);
        if (residual) residualInterior(a.values, a.offsets, a.rows, x, b, y, from, to);
        else d += productInterior(a.values, a.offsets, a.rows, x, y, from, to);
        partDot(part, d);
    }

    /** y = A·x over interior rows [from, to); returns xᵀy over them. */
    static double productInterior(double[] val, int[] off, int n, double[] x, double[] y, int from, int to) {
        int nd = off.length;
        DoubleVector dot = DoubleVector.zero(SPECIES);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int d = 0, vo = i; d < nd; d++, vo += n) {
                acc = DoubleVector.fromArray(SPECIES, val, vo).fma(DoubleVector.fromArray(SPECIES, x, i + off[d]), acc);
            }
            acc.intoArray(y, i);
            dot = DoubleVector.fromArray(SPECIES, x, i).fma(acc, dot);
        }
        double s = dot.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double t = 0;
            for (int d = 0, vo = i; d < nd; d++, vo += n) t = Math.fma(val[vo], x[i + off[d]], t);
            y[i] = t;
            s = Math.fma(x[i], t, s);
        }
        return s;
    }

    /** r = b − A·x over interior rows [from, to). */
    static void residualInterior(double[] val, int[] off, int n, double[] x, double[] b, double[] r, int from, int to) {
        int nd = off.length;
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += LANES) {
            DoubleVector acc = DoubleVector.zero(SPECIES);
            for (int d = 0, vo = i; d < nd; d++, vo += n) {
                acc = DoubleVector.fromArray(SPECIES, val, vo).fma(DoubleVector.fromArray(SPECIES, x, i + off[d]), acc);
            }
            DoubleVector.fromArray(SPECIES, b, i).sub(acc).intoArray(r, i);
        }
        for (; i < to; i++) {
            double t = 0;
            for (int d = 0, vo = i; d < nd; d++, vo += n) t = Math.fma(val[vo], x[i + off[d]], t);
            r[i] = b[i] - t;
        }
    }

    /** Rows [from, to) whose diagonals may leave the matrix: scalar, column checked. Returns xᵀ(A·x) over them. */
    static double edge(DiagonalMatrix a, double[] x, double[] y, double[] b, boolean residual, int from, int to) {
        int n = a.rows, nd = a.offsets.length;
        double dot = 0;
        for (int i = from; i < to; i++) {
            double t = 0;
            for (int d = 0; d < nd; d++) {
                int j = i + a.offsets[d];
                if (j >= 0 && j < n) t = Math.fma(a.values[d * n + i], x[j], t);
            }
            y[i] = residual ? b[i] - t : t;
            dot = Math.fma(x[i], t, dot);
        }
        return dot;
    }
}
