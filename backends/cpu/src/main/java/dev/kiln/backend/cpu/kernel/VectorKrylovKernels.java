package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KrylovKernels} on the Java Vector API, split over the {@link WorkerPool} by a fixed
 * {@link RowPartition}. Style after Lucene's {@code PanamaVectorUtilSupport}: a
 * {@code static final} species, a {@code loopBound} main loop, one {@code reduceLanes} after the
 * loop, a scalar tail; one static method per operation, with no branch inside that some calls
 * would never take (why: {@link SellOperator}).
 *
 * <p>Reductions: each part reduces its slice, the caller adds the parts in part order, so a
 * result is the same bits whether the step ran threaded or on one thread.
 *
 * <p>One instance per solve (it carries the step's arguments in fields so a step allocates
 * nothing); not thread-safe. {@code n} must equal the partition's row count.
 */
public final class VectorKrylovKernels implements KrylovKernels, WorkerPool.Task {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Partial sums are 8 doubles (one 64-byte cache line) apart so two cores never share a line. */
    private static final int PAD = 8;

    private static final int DOT = 0, AXPY = 1, XPAY = 2, COPY = 3, SCALE = 4, CG_UPDATE = 5;

    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;

    // the current step's arguments, published to the workers by the pool's epoch write
    private int op;
    private double a;
    private double[] x, y, p, q, r, invDiag, z;

    public VectorKrylovKernels(WorkerPool pool, RowPartition partition) {
        this.pool = pool;
        this.partition = partition;
        this.partial = new double[partition.parts() * PAD];
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize() + "x" + partition.parts();
    }

    private void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
    }

    private double sum(int slot) {
        double s = 0;
        for (int p = 0; p < partition.parts(); p++) s += partial[p * PAD + slot];
        return s;
    }

    @Override
    public double dot(int n, double[] x, double[] y) {
        op = DOT; this.x = x; this.y = y;
        step();
        return sum(0);
    }

    @Override
    public void axpy(int n, double a, double[] x, double[] y) {
        op = AXPY; this.a = a; this.x = x; this.y = y;
        step();
    }

    @Override
    public void xpay(int n, double[] x, double a, double[] y) {
        op = XPAY; this.a = a; this.x = x; this.y = y;
        step();
    }

    @Override
    public void copy(int n, double[] x, double[] y) {
        op = COPY; this.x = x; this.y = y;
        step();
    }

    @Override
    public void scale(int n, double a, double[] x) {
        op = SCALE; this.a = a; this.x = x;
        step();
    }

    @Override
    public void cgUpdate(int n, double alpha, double[] p, double[] q, double[] x, double[] r,
                         double[] invDiag, double[] z, double[] out) {
        op = CG_UPDATE; this.a = alpha; this.p = p; this.q = q; this.x = x; this.r = r; this.invDiag = invDiag; this.z = z;
        step();
        out[0] = sum(0);
        out[1] = sum(1);
    }

    @Override
    public void run(int part) {
        int from = partition.start(part), to = partition.end(part);
        switch (op) {
            case DOT -> partial[part * PAD] = dotSlice(x, y, from, to);
            case AXPY -> axpySlice(a, x, y, from, to);
            case XPAY -> xpaySlice(x, a, y, from, to);
            case COPY -> System.arraycopy(x, from, y, from, to - from);
            case SCALE -> scaleSlice(a, x, from, to);
            case CG_UPDATE -> {
                if (invDiag == null) cgUpdateSlice(a, p, q, x, r, from, to, partial, part * PAD);
                else cgUpdateJacobiSlice(a, p, q, x, r, invDiag, z, from, to, partial, part * PAD);
            }
            default -> throw new IllegalStateException("op " + op);
        }
    }

    // ---- the kernels on one slice [from, to) ----
    // Every vector loop stops one element short of a whole number of SIMD steps (loopBound of
    // length − 1), so its scalar remainder runs 1..C times on every non-empty slice: a remainder
    // loop that some lengths never enter is compiled as an uncommon trap, and the first length that
    // enters it throws the compiled kernel away (see SellOperator). One accumulator per reduction:
    // at 8 lanes one FMA chain covers 2 doubles a cycle, more than memory or L2 deliver.

    static double dotSlice(double[] x, double[] y, int from, int to) {
        int i = from;
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            acc = DoubleVector.fromArray(SPECIES, x, i).fma(DoubleVector.fromArray(SPECIES, y, i), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s = Math.fma(x[i], y[i], s);
        return s;
    }

    static void axpySlice(double a, double[] x, double[] y, int from, int to) {
        int i = from;
        DoubleVector av = DoubleVector.broadcast(SPECIES, a);
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, x, i).fma(av, DoubleVector.fromArray(SPECIES, y, i)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.fma(a, x[i], y[i]);
    }

    static void xpaySlice(double[] x, double a, double[] y, int from, int to) {
        int i = from;
        DoubleVector av = DoubleVector.broadcast(SPECIES, a);
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, y, i).fma(av, DoubleVector.fromArray(SPECIES, x, i)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.fma(a, y[i], x[i]);
    }

    static void scaleSlice(double a, double[] x, int from, int to) {
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, x, i).mul(a).intoArray(x, i);
        }
        for (; i < to; i++) x[i] *= a;
    }

    /** x += αp; r −= αq; partial[slot] = partial[slot+1] = rᵀr. */
    static void cgUpdateSlice(double alpha, double[] p, double[] q, double[] x, double[] r, int from, int to,
                         double[] partial, int slot) {
        int i = from;
        DoubleVector av = DoubleVector.broadcast(SPECIES, alpha), nav = DoubleVector.broadcast(SPECIES, -alpha);
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, p, i).fma(av, DoubleVector.fromArray(SPECIES, x, i)).intoArray(x, i);
            DoubleVector ri = DoubleVector.fromArray(SPECIES, q, i).fma(nav, DoubleVector.fromArray(SPECIES, r, i));
            ri.intoArray(r, i);
            acc = ri.fma(ri, acc);
        }
        double rr = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            x[i] = Math.fma(alpha, p[i], x[i]);
            double ri = Math.fma(-alpha, q[i], r[i]);
            r[i] = ri;
            rr = Math.fma(ri, ri, rr);
        }
        partial[slot] = rr;
        partial[slot + 1] = rr;
    }

    /** x += αp; r −= αq; z = invDiag∘r; partial[slot] = rᵀz, partial[slot+1] = rᵀr. */
    static void cgUpdateJacobiSlice(double alpha, double[] p, double[] q, double[] x, double[] r, double[] invDiag, double[] z,
                               int from, int to, double[] partial, int slot) {
        int i = from;
        DoubleVector av = DoubleVector.broadcast(SPECIES, alpha), nav = DoubleVector.broadcast(SPECIES, -alpha);
        DoubleVector rz = DoubleVector.zero(SPECIES), rr = rz;
        for (int bound = from + SPECIES.loopBound(to - from - 1); i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, p, i).fma(av, DoubleVector.fromArray(SPECIES, x, i)).intoArray(x, i);
            DoubleVector ri = DoubleVector.fromArray(SPECIES, q, i).fma(nav, DoubleVector.fromArray(SPECIES, r, i));
            ri.intoArray(r, i);
            DoubleVector zi = ri.mul(DoubleVector.fromArray(SPECIES, invDiag, i));
            zi.intoArray(z, i);
            rz = ri.fma(zi, rz);
            rr = ri.fma(ri, rr);
        }
        double srz = rz.reduceLanes(VectorOperators.ADD), srr = rr.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            x[i] = Math.fma(alpha, p[i], x[i]);
            double ri = Math.fma(-alpha, q[i], r[i]);
            r[i] = ri;
            double zi = ri * invDiag[i];
            z[i] = zi;
            srz = Math.fma(ri, zi, srz);
            srr = Math.fma(ri, ri, srr);
        }
        partial[slot] = srz;
        partial[slot + 1] = srr;
    }
}
