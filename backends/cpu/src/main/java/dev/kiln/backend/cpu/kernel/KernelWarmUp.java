package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs every Vector API kernel (each operation on each layout, in fp64 and fp32) on small
 * synthetic inputs, once per process, so C2 compiles them before the first job needs them.
 *
 * <p>Why: Vector API code is fast only once C2 has compiled it; in the interpreter and in C1 code
 * every vector operation allocates a box, and the kernels ran 100–400× slower (measured: bcsstk13
 * SpMV 17.7 ms before, 46 µs after C2; 1138_bus' first CG 0.9 s, later ones 12 ms). C2 compiles a
 * method after about 600 calls with 15 000 loop back-edges or 5 000 calls (HotSpot's tiered
 * thresholds Tier4MinInvocationThreshold, Tier4CompileThreshold, Tier4InvocationThreshold), and a
 * small job's kernels never get there within the job. {@link #CALLS} calls per kernel on inputs of
 * a few dozen rows (about 30 back-edges per call) passes both thresholds.
 *
 * <p>Cost, measured with ./kiln bench spmv on this 2-core machine: see {@code docs/ARCHITECTURE.md}
 * (a fraction of a CPU-second, on a daemon thread, plus C2's own compile time).
 */
final class KernelWarmUp {
    /** Calls per kernel: past Tier4InvocationThreshold (5000) even with no back-edges counted. */
    static final int CALLS = 6000;

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch DONE = new CountDownLatch(1);

    private KernelWarmUp() {}

    /** Starts the warm-up on a daemon thread unless it already ran or runs. */
    static void startInBackground() {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                run(CALLS);
            } finally {
                DONE.countDown();
            }
        }, "kiln-cpu-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the warm-up if needed and waits for its calls to end (C2 may still be compiling). */
    static void await() throws InterruptedException {
        startInBackground();
        DONE.await();
    }

    /** Every kernel {@code calls} times on single-threaded instances (the pool stays free for jobs). */
    static void run(int calls) {
        WorkerPool pool = WorkerPool.shared();
        int c = SellOperator.LANES;
        CsrMatrix grid = PoissonGenerator.poisson2d(7, 7);          // 49 rows: 6 full chunks and a tail
        CsrMatrix ragged = ragged(51);                               // unequal rows: SELL sorts them
        CsrMatrix wide = banded(40, 2 * CsrOperator.VECTOR_ROW);     // rows long enough for SIMD CSR
        SellMatrix gridSell = SellMatrix.of(grid, c, c * CpuKernels.SIGMA_CHUNKS);
        SellMatrix raggedSell = SellMatrix.of(ragged, c, c * CpuKernels.SIGMA_CHUNKS);
        List<SparseOperator> ops = List.of(
                new SellOperator(gridSell, pool, 1),
                new SellOperator(raggedSell, pool, 1),
                new CsrOperator(grid, pool, 1),
                new CsrOperator(wide, pool, 1),
                new SellFp32Operator(gridSell.toFp32(), pool, 1),
                new SellFp32Operator(raggedSell.toFp32(), pool, 1));
        for (SparseOperator op : ops) {
            int n = op.rows();
            double[] x = filled(n, 1.0), y = new double[n], b = filled(n, 2.0);
            for (int i = 0; i < calls; i++) op.apply(x, y);
            for (int i = 0; i < calls; i++) op.applyDot(x, y);
            for (int i = 0; i < calls; i++) op.residual(x, b, y);
        }
        int n = grid.rows();
        KrylovKernels k = new VectorKrylovKernels(pool, RowPartition.single(n));
        double[] x = filled(n, 1.0), y = filled(n, 0.5), p = filled(n, 0.25), q = filled(n, 0.125);
        double[] r = filled(n, 1.0), z = new double[n], inv = filled(n, 0.25), out = new double[2];
        for (int i = 0; i < calls; i++) k.dot(n, x, y);
        for (int i = 0; i < calls; i++) k.axpy(n, 1e-3, x, y);
        for (int i = 0; i < calls; i++) k.xpay(n, x, 0.5, y);
        for (int i = 0; i < calls; i++) k.scale(n, 1.0, y);
        for (int i = 0; i < calls; i++) k.cgUpdate(n, 1e-9, p, q, x, r, null, z, out);
        for (int i = 0; i < calls; i++) k.cgUpdate(n, 1e-9, p, q, x, r, inv, z, out);
        Fp32KrylovKernels f = new Fp32KrylovKernels(pool, RowPartition.single(n));
        float[] xf = new float[n], yf = new float[n], pf = new float[n], qf = new float[n], rf = new float[n], zf = new float[n];
        float[] invf = new float[n];
        java.util.Arrays.fill(xf, 1f);
        java.util.Arrays.fill(invf, 0.25f);
        for (int i = 0; i < calls; i++) f.dot(n, xf, yf);
        for (int i = 0; i < calls; i++) f.xpay(n, xf, 0.5f, yf);
        for (int i = 0; i < calls; i++) f.cgUpdate(n, 1e-9f, pf, qf, xf, rf, null, zf, out);
        for (int i = 0; i < calls; i++) f.cgUpdate(n, 1e-9f, pf, qf, xf, rf, invf, zf, out);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Rows of 1..12 entries in a repeating pattern: padding over 5 % unsorted, so SELL sorts. */
    private static CsrMatrix ragged(int n) {
        int[] rows = new int[n * 12], cols = new int[n * 12];
        double[] vals = new double[n * 12];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int len = 1 + (i * 7) % 12;
            for (int j = 0; j < len; j++, k++) { rows[k] = i; cols[k] = (i + j) % n; vals[k] = 1.0 / (1 + j); }
        }
        return CooAssembler.fromCoo(n, n, java.util.Arrays.copyOf(rows, k), java.util.Arrays.copyOf(cols, k),
                java.util.Arrays.copyOf(vals, k));
    }

    /** n×n with {@code width} entries per row (wrapping band). */
    private static CsrMatrix banded(int n, int width) {
        int[] rows = new int[n * width], cols = new int[n * width];
        double[] vals = new double[n * width];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = 0; j < width; j++, k++) { rows[k] = i; cols[k] = (i + j) % n; vals[k] = 1.0 / (1 + j); }
        }
        return CooAssembler.fromCoo(n, n, rows, cols, vals);
    }
}
