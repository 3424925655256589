package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;
import dev.kiln.solvers.krylov.SsorPreconditioner;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.stationary.EisenstatSweeps;
import dev.kiln.solvers.stationary.SplitMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs every Vector API kernel (each operation on each layout, fp64 and fp32) on small synthetic
 * inputs, once per process on a daemon thread, so C2 has compiled them before jobs need them.
 *
 * <p>Why: Vector API code is fast only once C2 has compiled it; in the interpreter and in C1 code
 * every vector operation allocates a box, and the kernels ran 100–400× slower (measured: bcsstk13
 * SpMV 17.7 ms before C2, 46 µs after; 1138_bus' first CG 0.9 s, later ones 12 ms). C2 compiles a
 * method after about 600 calls with 15 000 loop back-edges, or 5 000 calls (HotSpot's tiered
 * thresholds Tier4MinInvocationThreshold, Tier4CompileThreshold, Tier4InvocationThreshold), so a
 * small job's kernels never get there within the job.
 *
 * <p>How: rounds that call every variant once — interleaved, not one variant after the other,
 * because C2 compiles from the branch profile gathered only since the method's profiling (C1)
 * version started, which can be late while the compiler queue is long: a profile taken while only
 * one variant ran marks the other variants' branches never-taken, and the first job to take them
 * would trap. Variants: each operation on each layout (natural and sorted SELL rows, scalar and
 * SIMD CSR rows), with and without a partial last chunk or SIMD remainder, on one part and on the
 * pool's parts; the rounds stop once C2's code runs them all (see {@link #QUIET_ROUNDS}). Then
 * the IC(0) set-up runs {@link #SET_UP_ROUNDS} times on a small grid and a small irregular matrix
 * (one-off code per matrix, which a first job would otherwise run interpreted).
 *
 * <p>Cost, measured on this 2-core machine: 2.9–3.8 s wall, about 0.9 s of this thread's CPU and
 * 2.3–2.7 s of the process's in all, C2 included (docs/ARCHITECTURE.md, "CPU kernels"). While it runs, a job's
 * step may find the pool busy with a warm-up call and run on the job's own thread (same result,
 * see {@link WorkerPool}). {@code -Dkiln.cpu.warmup=false} turns it off.
 */
final class KernelWarmUp {
    /**
     * The warm-up ends after this many consecutive rounds that allocated (almost) nothing: Vector
     * API code outside C2 allocates a box per vector operation, C2's intrinsified code allocates
     * none, so an allocation-free round means every kernel of it runs compiled (the kernels and
     * the dispatch around them allocate nothing themselves). Timing cannot tell this on a loaded
     * machine, and C1's code is already 10–30× faster than the interpreter.
     */
    static final int QUIET_ROUNDS = 3;
    /** Bytes a round may allocate and still count as quiet (the clock and bookkeeping, not vector boxes). */
    static final long QUIET_BYTES = 1024;
    /**
     * Rounds run back to back; after them each round is followed by a 1 ms pause, so the thread
     * stops competing with the C2 compiler thread it is waiting for (every kernel has passed C2's
     * thresholds by then: ~600 calls, or a few thousand when the compile queue is long, which
     * raises them). Measured: all compiled after 1 900–3 900 rounds on this 2-core machine.
     */
    static final int BUSY_ROUNDS = 1500;
    /** Wall-time bound in ms: under heavy load the last compiles waited past 5 000 back-to-back rounds (3.8 s). */
    static final long MAX_MILLIS = 60_000;

    private static final System.Logger LOG = System.getLogger(KernelWarmUp.class.getName());
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch DONE = new CountDownLatch(1);
    /** Rounds the finished warm-up took; −1 when the kernels still allocated at the end; 0 when it did not run. */
    private static volatile int result;

    private KernelWarmUp() {}

    /** Starts the warm-up on a daemon thread unless it already ran, runs, or is turned off. */
    static void startInBackground() {
        if (!STARTED.compareAndSet(false, true)) return;
        if (!Boolean.parseBoolean(System.getProperty("kiln.cpu.warmup", "true"))) {
            DONE.countDown();
            return;
        }
        Thread t = new Thread(() -> {
            try {
                long t0 = System.nanoTime();
                int rounds = run(MAX_MILLIS);
                result = rounds;                               // the kernels' verdict stands even if the set-up rounds fail
                setUpRounds();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (rounds < 0) {
                    LOG.log(System.Logger.Level.WARNING, "cpu kernels still allocate after " + ms
                            + " ms of warm-up: C2 has not compiled or intrinsified them all; small jobs may run slowly");
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "cpu kernels compiled after " + rounds + " warm-up rounds, " + ms + " ms");
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "cpu kernel warm-up failed", e);
            } finally {
                DONE.countDown();
            }
        }, "kiln-cpu-warmup");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts the warm-up if needed and waits for it to end; returns the rounds it took, −1 when the
     * kernels still allocated after {@link #MAX_MILLIS} (not compiled by C2), 0 when turned off.
     */
    static int await() throws InterruptedException {
        startInBackground();
        DONE.await();
        return result;
    }

    /**
     * Runs every variant once per round, interleaved, until {@link #QUIET_ROUNDS} rounds in a row
     * allocate at most {@link #QUIET_BYTES}, or {@code maxMillis} passed. Returns the rounds run, or
     * −1 when the kernels still allocated at the end (not compiled, or not intrinsified here).
     */
    static int run(long maxMillis) {
        List<Runnable> calls = calls();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean counter = threads instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled() ? t : null;
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        int quiet = 0;
        for (int r = 0; System.nanoTime() < deadline; r++) {
            long before = counter == null ? 0 : counter.getCurrentThreadAllocatedBytes();
            for (Runnable c : calls) c.run();
            if (counter == null) {
                if (r >= BUSY_ROUNDS) return r + 1;          // no way to tell: settle for the thresholds
                continue;
            }
            quiet = counter.getCurrentThreadAllocatedBytes() - before <= QUIET_BYTES ? quiet + 1 : 0;
            if (quiet == QUIET_ROUNDS) return r + 1;
            if (r >= BUSY_ROUNDS) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Rounds of the IC(0) set-up on a small grid ({@link #setUpRounds}). Set-up code runs once per
     * matrix, so without this it runs in the interpreter until OSR compiles its loops: a cold
     * Poisson 512² factorisation took 185 ms, 58 ms after 300 set-ups of a 12×10 grid (measured
     * here: a throwaway System.nanoTime harness, load ≈ 4). Enough calls for C2's thresholds
     * (see the class comment) on a grid whose loops run a thousand times per call.
     */
    static final int SET_UP_ROUNDS = 200;

    /**
     * Runs the one-off set-up of a job on a new matrix — its fingerprint, the IC(0) factorisation
     * (and one that needs a shift, {@link #breaksDown}), the nearly-exact test, the level
     * ordering, renumbering A and the factor, P·A·Pᵀ's DIA scan and SELL conversion —
     * {@link #SET_UP_ROUNDS} times on a 40×30 grid and on an irregular 600-row matrix
     * ({@link #irregularSpd}), in turn, so a first job's one-off set-up runs compiled code. Cost,
     * once compiled: 170–215 ms of CPU for the 200 rounds, against 64–130 ms on the grid alone
     * (measured here: throwaway harness timing this method after the warm-up, load 14).
     * Both, because C2 compiles a branch its profile never saw taken as a trap: on the grid alone
     * the factorisation's sparse dots never found a shared column (the 5-point stencil's rows
     * share none), its renumbered rows never needed a sort and no row was long, so the first
     * finite-element matrix deoptimised {@code IncompleteCholeskyPreconditioner.factor},
     * {@code LevelScheduledIc0.permute}, {@code SellMatrix.of} and the DIA scan back to the
     * interpreter (seen with -Xlog:deoptimization=debug in a throwaway harness running
     * crystm01, gr_30_30, bcsstk21, 1138_bus and bcsstk08 after Poisson 2D 512²: crystm01's
     * factorisation took 23 ms cold against 2 ms a second time). Allocates (it builds matrices),
     * hence outside the rounds whose allocation says the kernels are compiled.
     */
    static void setUpRounds() {
        List<CsrMatrix> shapes = List.of(dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(40, 30), irregularSpd(600, 6, 1));
        CsrMatrix breaksDown = breaksDown();
        int parts = WorkerPool.shared().parts();
        int c = SellOperator.LANES;
        for (int r = 0; r < SET_UP_ROUNDS; r++) {
            dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.of(breaksDown);   // the Manteuffel retry
            // a fresh object (fingerprints are cached per object): SHA-256 runs interpreted until
            // compiled, and a first job's fingerprint of crystm01 (1.3 MB) took 120–290 ms cold
            // against 1.5 ms warm (measured here: throwaway harness, fresh JVM, load ≈ 11)
            CsrMatrix grid = shapes.get(0);
            CsrMatrix.of(grid.rows(), grid.cols(), grid.rowPtr(), grid.colIdx(), grid.values()).fingerprint();
            for (CsrMatrix a : shapes) {
                LevelScheduledIc0 natural = LevelScheduledIc0.of(a, parts, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS,
                        LevelScheduledIc0.Ordering.NATURAL);
                Ic0Cache.contraction(natural, parts);
                LevelScheduledIc0 f = LevelScheduledIc0.inLevelOrder(natural, a, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS);
                DiagonalMatrix.of(f.permuted(), DiagonalMatrix.MAX_DIAGONALS, DiagonalMatrix.MAX_FILL);
                SellMatrix.of(f.permuted(), c, c * CpuKernels.SIGMA_CHUNKS);
            }
        }
    }

    /**
     * 6×6 SPD (λ_min ≈ 0.53) whose plain IC(0) meets a negative pivot, so the factorisation's
     * breakdown branch and Manteuffel retry are in its profile (bcsstk13, bcsstk21, bcsstk25 and
     * msc04515 need the shift; found by a search over small integer matrices).
     */
    static CsrMatrix breaksDown() {
        double[][] d = {{5, 0, 0, 0, 0, 0}, {0, 5, 0, 1, 1, 0}, {0, 0, 5, -3, -3, 0},
                {0, 1, -3, 5, 0, -3}, {0, 1, -3, 0, 5, 3}, {0, 0, 0, -3, 3, 5}};
        int[] rows = new int[36], cols = new int[36];
        double[] vals = new double[36];
        int k = 0;
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) if (d[i][j] != 0) { rows[k] = i; cols[k] = j; vals[k++] = d[i][j]; }
        return CooAssembler.fromCoo(6, 6, Arrays.copyOf(rows, k), Arrays.copyOf(cols, k), Arrays.copyOf(vals, k));
    }

    /**
     * n×n symmetric, diagonally dominant (so SPD, and IC(0) needs no shift), each row coupled to
     * {@code perRow} random others: rows of varied length that share columns, as finite-element
     * matrices do, and levels of varied size. Seeded: the same matrix every run.
     */
    static CsrMatrix irregularSpd(int n, int perRow, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int cap = 2 * n * perRow + n;
        int[] rows = new int[cap], cols = new int[cap];
        double[] vals = new double[cap];
        double[] dominance = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < perRow; t++) {
                int j = rnd.nextInt(n);
                if (j == i) continue;
                double v = -0.5 - rnd.nextDouble();
                rows[k] = i; cols[k] = j; vals[k++] = v;
                rows[k] = j; cols[k] = i; vals[k++] = v;
                dominance[i] -= v;
                dominance[j] -= v;
            }
        }
        for (int i = 0; i < n; i++) { rows[k] = i; cols[k] = i; vals[k++] = dominance[i] + 1; }
        return CooAssembler.fromCoo(n, n, Arrays.copyOf(rows, k), Arrays.copyOf(cols, k), Arrays.copyOf(vals, k));
    }

    /** One call of every kernel variant. */
    static List<Runnable> calls() {
        WorkerPool pool = WorkerPool.shared();
        int c = SellOperator.LANES, sigma = c * CpuKernels.SIGMA_CHUNKS;
        int[] partCounts = pool.parts() > 1 ? new int[] {1, pool.parts()} : new int[] {1};
        List<Runnable> calls = new ArrayList<>();
        // SELL: natural row order (equal rows) and sorted (ragged rows), with and without a partial last chunk
        // (24 chunks: the 3-row tail's padding stays under SellMatrix.SORT_IF_FILL_ABOVE, so it is not sorted)
        List<CsrMatrix> sellShapes = List.of(banded(24 * c, 5), banded(24 * c + 3, 5), ragged(8 * c), ragged(8 * c + 3));
        for (int i = 0; i < sellShapes.size(); i++) {
            SellMatrix s = SellMatrix.of(sellShapes.get(i), c, sigma);
            if (s.sorted() != i >= 2) throw new IllegalStateException("warm-up shape " + i + " sorted=" + s.sorted());
            SellMatrixFp32 s32 = s.toFp32();
            for (int parts : partCounts) {
                addOperatorCalls(calls, new SellOperator(s, pool, parts));
                addOperatorCalls(calls, new SellOperatorFp32(s32, pool, parts));
            }
        }
        // DIA: a 2-D stencil whose interior is and is not a whole number of SIMD steps, and a
        // diagonal-only matrix (no edge rows)
        for (CsrMatrix a : List.of(dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(c, 16),
                dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(c + 3, 16), banded(16 * c, 1))) {
            DiagonalMatrix d = DiagonalMatrix.of(a, DiagonalMatrix.MAX_DIAGONALS, DiagonalMatrix.MAX_FILL);  // small: below the rule's size
            if (d == null) throw new IllegalStateException("warm-up shape " + a + " has no DIA form");
            DiagonalMatrixFp32 d32 = d.toFp32();
            for (int parts : partCounts) {
                addOperatorCalls(calls, new DiagonalOperator(d, pool, parts));
                addOperatorCalls(calls, new DiagonalOperatorFp32(d32, pool, parts));
            }
        }
        // CSR: scalar rows (short) and SIMD rows (long)
        for (CsrMatrix a : List.of(banded(8 * c, 5), banded(8 * c, 2 * CsrOperator.VECTOR_ROW))) {
            for (int parts : partCounts) addOperatorCalls(calls, new CsrOperator(a, pool, parts));
        }
        // IC(0) triangular solves (scalar loops, but a small job's few hundred applies would run
        // them interpreted: 1138_bus IC(0)-PCG took 29.5 ms against PETSc's 3.4 in a cold bench):
        // level order on one part, level steps on the pool, and vectors in A's own order. A 64×60
        // grid, not 12×10: after the small one, 5 of 12 JVMs ran a later IC(0)-PCG's solves ~45 %
        // slower than the reference for 20+ solves (Poisson 128², gr_30_30); after this one 1 of 12
        // (measured here 29 Nov, /tmp probe of CpuIc0Cg.solve vs the reference, medians of 22 runs
        // per JVM; docs/ARCHITECTURE.md issue 3, "IC(0) solve JIT variance"). Cause not found.
        CsrMatrix grid = dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(64, 60);
        for (int parts : partCounts) for (LevelScheduledIc0.Ordering o : LevelScheduledIc0.Ordering.values()) {
            LevelScheduledIc0 f = LevelScheduledIc0.of(grid, parts, 4, o);
            double[] r = filled(grid.rows(), 1.0), z = new double[grid.rows()];
            LevelScheduledIc0Solve inOrder = f.newSolve(pool), natural = f.newSolveInNaturalOrder(pool);
            calls.add(() -> inOrder.apply(r, z));
            calls.add(() -> natural.apply(r, z));
        }
        // and A's own order on long rows (≈ 12 strict-lower entries a row), which runs its own
        // copies of the loops (LevelScheduledIc0Solve.LONG_ROWS), and on short rows of which few
        // hold l_{k,k−1} (≈ 2 a row, like 1138_bus), which run the plain loops: the grid's own
        // order, chained, runs the carrying ones (IncompleteCholeskyPreconditioner.Factor.carriesPredecessor)
        CsrMatrix longRows = irregularSpd(600, 12, 3);
        for (CsrMatrix a : List.of(longRows, irregularSpd(600, 2, 5))) {
            for (int parts : partCounts) {
                LevelScheduledIc0 f = LevelScheduledIc0.of(a, parts, 4, LevelScheduledIc0.Ordering.NATURAL);
                double[] r = filled(a.rows(), 1.0), z = new double[a.rows()];
                LevelScheduledIc0Solve own = f.newSolve(pool);
                calls.add(() -> own.apply(r, z));
            }
        }
        // SSOR's triangular sweeps and Eisenstat's (pcg+ssor), scalar loops again, in both forms:
        // the neighbour carried in a register (the grid) and not (the irregular rows). Compiled from
        // one form's profile, the first matrix of the other trapped and ran C1's code for a whole
        // bench row: bcsstk08 textbook SSOR-PCG 8.7 ms against 1.9 after Poisson (measured here
        // 29 Nov, `./kiln bench cg --quick` with -XX:+PrintCompilation).
        for (CsrMatrix a : List.of(grid, longRows)) {
            SplitMatrix split = SplitMatrix.of(a);
            SsorPreconditioner ssor = SsorPreconditioner.of(split, 1.2);
            int n = a.rows();
            double[] r = filled(n, 1.0), z = new double[n], rTilde = new double[n], y = new double[n], w = new double[n],
                    t = new double[n], sv = new double[n], x = new double[n];
            calls.add(() -> ssor.apply(r, z));
            calls.add(() -> {
                double rho = EisenstatSweeps.start(split, 1.2, r, rTilde, y);
                EisenstatSweeps.backward(split, 1.2, rTilde, 0.5, w, t);
                double curvature = EisenstatSweeps.forward(split, 1.2, w, t, sv);
                EisenstatSweeps.update(split, 1.2, 1e-3 * rho / curvature, t, sv, x, rTilde, y);
                EisenstatSweeps.derivedResidualNorm2(split, rTilde, y);
            });
        }
        // vector kernels, with and without a remainder past the last whole SIMD step
        for (int n : new int[] {8 * c, 8 * c + 3}) {
            for (int parts : partCounts) {
                RowPartition p = parts == 1 ? RowPartition.single(n) : RowPartition.even(n, c, parts);
                addKernelCalls(calls, new VectorKrylovKernels(pool, p), n);
                addKernelCalls(calls, new VectorKrylovKernelsFp32(pool, p), n);
            }
        }
        return calls;
    }

    private static void addOperatorCalls(List<Runnable> calls, SparseOperator op) {
        int n = op.rows();
        double[] x = filled(n, 1.0), y = new double[n], b = filled(n, 2.0);
        calls.add(() -> op.apply(x, y));
        calls.add(() -> op.applyDot(x, y));
        calls.add(() -> op.residual(x, b, y));
    }

    private static void addOperatorCalls(List<Runnable> calls, SparseOperatorFp32 op) {
        int n = op.rows();
        float[] x = filledF(n, 1f), y = new float[n];
        calls.add(() -> op.apply(x, y));
        calls.add(() -> op.applyDot(x, y));
    }



    private static void addKernelCalls(List<Runnable> calls, KrylovKernels k, int n) {
        double[] x = filled(n, 1.0), y = filled(n, 0.5), p = filled(n, 0.25), q = filled(n, 0.125);
        double[] r = filled(n, 1.0), z = new double[n], inv = filled(n, 0.25), out = new double[2];
        calls.add(() -> k.dot(n, x, y));
        calls.add(() -> k.axpy(n, 1e-3, x, y));
        calls.add(() -> k.xpay(n, x, 0.5, y));
        calls.add(() -> k.copy(n, x, z));
        calls.add(() -> k.scale(n, 1.0, y));
        calls.add(() -> k.cgUpdate(n, 1e-9, p, q, x, r, null, z, out));
        calls.add(() -> k.cgUpdate(n, 1e-9, p, q, x, r, inv, z, out));
    }

    private static void addKernelCalls(List<Runnable> calls, KrylovKernelsFp32 k, int n) {
        float[] x = filledF(n, 1f), y = filledF(n, 0.5f), p = filledF(n, 0.25f), q = filledF(n, 0.125f);
        float[] r = filledF(n, 1f), z = new float[n], inv = filledF(n, 0.25f);
        double[] out = new double[2];
        calls.add(() -> k.dot(n, x, y));
        calls.add(() -> k.xpay(n, x, 0.5f, y));
        calls.add(() -> k.cgUpdate(n, 1e-9f, p, q, x, r, null, z, out));
        calls.add(() -> k.cgUpdate(n, 1e-9f, p, q, x, r, inv, z, out));
    }


    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    private static float[] filledF(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Rows of 1..12 entries in a repeating pattern: unsorted chunks pad by over 5 %, so SELL sorts. */
    static CsrMatrix ragged(int n) {
        int[] rows = new int[n * 12], cols = new int[n * 12];
        double[] vals = new double[n * 12];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int len = 1 + (i * 7) % 12;
            for (int j = 0; j < len; j++, k++) { rows[k] = i; cols[k] = (i + j) % n; vals[k] = 1.0 / (1 + j); }
        }
        return CooAssembler.fromCoo(n, n, Arrays.copyOf(rows, k), Arrays.copyOf(cols, k), Arrays.copyOf(vals, k));
    }

    /** n×n with {@code width} entries per row (a wrapping band). */
    static CsrMatrix banded(int n, int width) {
        int[] rows = new int[n * width], cols = new int[n * width];
        double[] vals = new double[n * width];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = 0; j < width; j++, k++) { rows[k] = i; cols[k] = (i + j) % n; vals[k] = 1.0 / (1 + j); }
        }
        return CooAssembler.fromCoo(n, n, rows, cols, vals);
    }
}
