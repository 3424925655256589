package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The STREAM triad a ← b + s·c (McCalpin, "Memory Bandwidth and Machine Balance in Current
 * High Performance Computers", IEEE TCCA Newsletter, 1995) on the same SIMD width and the same
 * {@link WorkerPool} as the solver kernels, so a benchmark can divide kernel bandwidth by the
 * bandwidth this JVM reaches on this machine in the same run. Not thread-safe.
 */
public final class Triad implements WorkerPool.Task {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private final double[] a, b, c;
    private final RowPartition partition;
    private double s;

    /** Arrays of equal length; {@code threads} parts (1 = the caller only). */
    public Triad(double[] a, double[] b, double[] c, int threads) {
        this.a = a;
        this.b = b;
        this.c = c;
        int parts = Math.min(Math.max(1, threads), WorkerPool.shared().parts());
        this.partition = parts == 1 ? RowPartition.single(a.length) : RowPartition.even(a.length, LANES, WorkerPool.shared().parts());
    }

    /** Runs a ← b + s·c once. */
    public void run(double scalar) {
        s = scalar;
        if (partition.parts() == 1) run(0);
        else WorkerPool.shared().run(this);
    }

    /** The threads this triad runs on. */
    public int threads() { return partition.parts(); }

    @Override
    public void run(int part) {
        int i = partition.start(part), to = partition.end(part);
        int bound = i + SPECIES.loopBound(to - i);
        DoubleVector sv = DoubleVector.broadcast(SPECIES, s);
        for (; i < bound; i += LANES) {
            DoubleVector.fromArray(SPECIES, c, i).fma(sv, DoubleVector.fromArray(SPECIES, b, i)).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = b[i] + s * c[i];
    }
}
