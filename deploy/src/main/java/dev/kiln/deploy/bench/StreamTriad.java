package dev.kiln.deploy.bench;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.Triad;

/**
 * Measures this machine's memory bandwidth as the STREAM triad a ← b + s·c (McCalpin 1995)
 * in the running JVM, on the same SIMD kernels and thread pool the solvers use, so benches can
 * report kernel bandwidth as a fraction of it from the same run (the machine is shared, so a
 * figure from another run is not comparable). Counts 24 bytes per element (two reads, one
 * write), as STREAM does; reports the best of the repetitions, as STREAM does.
 */
public final class StreamTriad {
    /** 2^25 doubles (256 MiB) per array: 768 MiB in all, past any last-level cache here. */
    static final int FULL_LENGTH = 1 << 25;
    /** --quick: 2^24 (128 MiB per array, 384 MiB in all). */
    static final int QUICK_LENGTH = 1 << 24;
    /** Warm-up: 2^12 doubles (cache-resident) × 20 000 calls, past C2's call and loop thresholds (see KernelWarmUp). */
    static final int WARM_LENGTH = 1 << 12, WARM_CALLS = 20_000;

    /** Best triad bandwidth in GB/s (10⁹ bytes/s) on {@code threads} threads (1, or all cores). */
    public static double measure(boolean quick, int threads) {
        if (!CpuKernels.vectorized()) return Double.NaN;
        // Compile the triad first (C2, from a full call profile): measured otherwise, the first
        // repetitions ran interpreted and the rest on an on-stack-replacement compile.
        double[] wa = new double[WARM_LENGTH], wb = new double[WARM_LENGTH], wc = new double[WARM_LENGTH];
        Triad warm = new Triad(wa, wb, wc, threads);
        for (int i = 0; i < WARM_CALLS; i++) warm.run(1.0);
        int n = quick ? QUICK_LENGTH : FULL_LENGTH;
        double[] a = new double[n], b = new double[n], c = new double[n];
        java.util.Arrays.fill(b, 1.0);
        java.util.Arrays.fill(c, 2.0);
        Triad t = new Triad(a, b, c, threads);
        int reps = quick ? 6 : 12;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            t.run(3.0);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        if (a[n / 2] != 7.0) throw new IllegalStateException("triad produced " + a[n / 2] + ", expected 7");
        return 24.0 * n / best / 1e9;
    }
}
