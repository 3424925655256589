package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KrylovKernelsFp32} on the Vector API: fp32 loads and stores of C lanes (half a register),
 * widened to fp64 for every reduction, split over the {@link WorkerPool} by the operator's
 * {@link RowPartition}. Loop shape and reductions as in {@link VectorKrylovKernels}.
 *
 * <p>One instance per solve; not thread-safe.
 */
public final class VectorKrylovKernelsFp32 implements KrylovKernelsFp32, WorkerPool.Task {
    static final VectorSpecies<Double> DS = SellOperatorFp32.DS;
    static final VectorSpecies<Float> FS = SellOperatorFp32.FS;
    static final int LANES = DS.length();
    private static final int PAD = 8;
    private static final int DOT = 0, XPAY = 1, CG_UPDATE = 2;

    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;
    private int op;
    private float a;
    private float[] x, y, p, q, r, invDiag, z;

    public VectorKrylovKernelsFp32(WorkerPool pool, RowPartition partition) {
        this.pool = pool;
        this.partition = partition;
        this.partial = new double[partition.parts() * PAD];
    }

    @Override
    public String name() {
        return "vector-fp32-" + FS.vectorBitSize() + "x" + partition.parts();
    }

    private void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
    }

    private double sum(int slot) {
        double s = 0;
        for (int part = 0; part < partition.parts(); part++) s += partial[part * PAD + slot];
        return s;
    }

    @Override
    public double dot(int n, float[] x, float[] y) {
        op = DOT; this.x = x; this.y = y;
        step();
        return sum(0);
    }

    @Override
    public void xpay(int n, float[] x, float a, float[] y) {
        op = XPAY; this.x = x; this.a = a; this.y = y;
        step();
    }

    @Override
    public void cgUpdate(int n, float alpha, float[] p, float[] q, float[] x, float[] r, float[] invDiag, float[] z,
                         double[] out) {
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
            case XPAY -> xpaySlice(x, a, y, from, to);
            default -> {
                if (invDiag == null) cgUpdateSlice(a, p, q, x, r, from, to, partial, part * PAD);
                else cgUpdateJacobiSlice(a, p, q, x, r, invDiag, z, from, to, partial, part * PAD);
            }
        }
    }

    private static DoubleVector wide(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
    }

    static double dotSlice(float[] x, float[] y, int from, int to) {
        int i = from;
        DoubleVector acc = DoubleVector.zero(DS);
        for (int bound = from + FS.loopBound(to - from - 1); i < bound; i += LANES) {
            acc = wide(FloatVector.fromArray(FS, x, i)).fma(wide(FloatVector.fromArray(FS, y, i)), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s = Math.fma(x[i], (double) y[i], s);
        return s;
    }

    static void xpaySlice(float[] x, float a, float[] y, int from, int to) {
        int i = from;
        FloatVector av = FloatVector.broadcast(FS, a);
        for (int bound = from + FS.loopBound(to - from - 1); i < bound; i += LANES) {
            FloatVector.fromArray(FS, y, i).fma(av, FloatVector.fromArray(FS, x, i)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.fma(a, y[i], x[i]);
    }

    /** x += αp; r −= αq (fp32); partial[slot] = partial[slot+1] = rᵀr (fp64). */
    static void cgUpdateSlice(float alpha, float[] p, float[] q, float[] x, float[] r, int from, int to,
                         double[] partial, int slot) {
        int i = from;
        FloatVector av = FloatVector.broadcast(FS, alpha), nav = FloatVector.broadcast(FS, -alpha);
        DoubleVector acc = DoubleVector.zero(DS);
        for (int bound = from + FS.loopBound(to - from - 1); i < bound; i += LANES) {
            FloatVector.fromArray(FS, p, i).fma(av, FloatVector.fromArray(FS, x, i)).intoArray(x, i);
            FloatVector ri = FloatVector.fromArray(FS, q, i).fma(nav, FloatVector.fromArray(FS, r, i));
            ri.intoArray(r, i);
            DoubleVector rd = wide(ri);
            acc = rd.fma(rd, acc);
        }
        double rr = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            x[i] = Math.fma(alpha, p[i], x[i]);
            float ri = Math.fma(-alpha, q[i], r[i]);
            r[i] = ri;
            rr = Math.fma(ri, (double) ri, rr);
        }
        partial[slot] = rr;
        partial[slot + 1] = rr;
    }

    /** x += αp; r −= αq; z = invDiag∘r (fp32); partial[slot] = rᵀz, partial[slot+1] = rᵀr (fp64). */
    static void cgUpdateJacobiSlice(float alpha, float[] p, float[] q, float[] x, float[] r, float[] invDiag, float[] z,
                               int from, int to, double[] partial, int slot) {
        int i = from;
        FloatVector av = FloatVector.broadcast(FS, alpha), nav = FloatVector.broadcast(FS, -alpha);
        DoubleVector rz = DoubleVector.zero(DS), rr = rz;
        for (int bound = from + FS.loopBound(to - from - 1); i < bound; i += LANES) {
            FloatVector.fromArray(FS, p, i).fma(av, FloatVector.fromArray(FS, x, i)).intoArray(x, i);
            FloatVector ri = FloatVector.fromArray(FS, q, i).fma(nav, FloatVector.fromArray(FS, r, i));
            ri.intoArray(r, i);
            FloatVector zi = ri.mul(FloatVector.fromArray(FS, invDiag, i));
            zi.intoArray(z, i);
            DoubleVector rd = wide(ri);
            rz = rd.fma(wide(zi), rz);
            rr = rd.fma(rd, rr);
        }
        double srz = rz.reduceLanes(VectorOperators.ADD), srr = rr.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            x[i] = Math.fma(alpha, p[i], x[i]);
            float ri = Math.fma(-alpha, q[i], r[i]);
            r[i] = ri;
            float zi = ri * invDiag[i];
            z[i] = zi;
            srz = Math.fma(ri, (double) zi, srz);
            srr = Math.fma(ri, (double) ri, srr);
        }
        partial[slot] = srz;
        partial[slot + 1] = srr;
    }
}
