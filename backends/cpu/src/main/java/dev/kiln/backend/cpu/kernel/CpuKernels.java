package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernelsFp32;
import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * Chooses the kernels a CPU solve runs on: the Vector API path when the
 * {@code jdk.incubator.vector} module is there (SELL-C-σ or CSR, threaded over the shared
 * {@link WorkerPool} for large matrices), else the scalar reference, with the reason logged
 * once — the provider pattern of Lucene's {@code VectorizationProvider}.
 *
 * <p>Format rule (cheap, no probe run): DIA when every non-zero sits on at most
 * {@link DiagonalMatrix#MAX_DIAGONALS} diagonals padding at most {@link DiagonalMatrix#MAX_FILL}
 * (stencil matrices: no column indices to move, no gather); else SELL-C-σ when its padded
 * storage is at most {@link #SELL_MAX_FILL} of the non-zeros; else CSR. The SELL kernel moves the padding as if
 * it were data, yet still moves less than CSR's scalar rows lose to the missing SIMD (Kreutzer et
 * al. 2014, §4, report SELL winning up to a fill of about 1.25; on this machine it won at 1.47). Threads: the pool is
 * used when the matrix has at least {@link #PARALLEL_MIN_NNZ} non-zeros; below, handing a step
 * to a second core costs as much as the step saves (measured, see the constant).
 *
 * <p>The first {@code prepare} (or the backend's first probe) starts {@link KernelWarmUp} in the
 * background, so the kernels are compiled by C2 before small jobs need them.
 */
public final class CpuKernels {
    /**
     * Padded SELL storage over the non-zeros up to which SELL-C-σ runs. 1.25 until 29 Nov
     * (Kreutzer et al.'s figure); then bcsstk08, the one shared matrix past it (fill 1.47, rows of
     * 4 to 339 entries), measured SELL 7.2 µs a product against the CSR kernel's 10.5 and the
     * scalar loop's 9.0 (one thread, best of 20 000; /tmp probe), and its CG ran at PETSc's time
     * on CSR (Kiln ÷ PETSc 0.64–1.27).
     */
    public static final double SELL_MAX_FILL = 1.5;
    /**
     * Matrices with fewer non-zeros run single-threaded. Measured on this project's 2-core machine
     * (one CG iteration's kernels — applyDot, fused Jacobi update, xpay — on Poisson 2D from 5 000
     * to 1.6 M non-zeros, 1 thread against 2, four runs while others' builds kept the load average
     * at 8–11; docs/ARCHITECTURE.md "CPU kernels"): below 50 000 non-zeros two threads never won
     * (0.78–1.03×: a step's work of a few µs is of the order of the hand-off, 0.2 µs spinning and
     * ~250 µs when a parked worker must be woken); from about 100 000 they won up to 2.0–2.3×
     * whenever the second core was free, and lost at most 6 % when it was not.
     */
    public static final long PARALLEL_MIN_NNZ = 100_000;
    /** σ: sort window in rows, 32 chunks (Kreutzer et al. 2014 use σ between C and a few hundred C). */
    static final int SIGMA_CHUNKS = 32;

    private static final System.Logger LOG = System.getLogger(CpuKernels.class.getName());
    /** Empty when the Vector API path runs, else why not (decided once per process). */
    private static final String UNAVAILABLE_CHECKED = check();

    private CpuKernels() {}

    /** Null when the Vector API path runs, else why not. */
    public static String vectorUnavailableReason() {
        return UNAVAILABLE_CHECKED.isEmpty() ? null : UNAVAILABLE_CHECKED;
    }

    private static String check() {
        String why = "";
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            why = "the jdk.incubator.vector module is not loaded (start the JVM with --add-modules jdk.incubator.vector)";
        } else {
            try {
                int lanes = VectorWidth.doubleLanes();
                if (lanes < 2) why = "the preferred vector species holds " + lanes + " double (no SIMD on this CPU/JVM)";
            } catch (Throwable t) {
                why = "the Vector API failed to initialise: " + t;
            }
        }
        if (!why.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "cpu backend: scalar kernels, because " + why);
        }
        return why;
    }

    /** True when solves run on the Vector API kernels. */
    public static boolean vectorized() { return UNAVAILABLE_CHECKED.isEmpty(); }

    /** A description for the probe: what actually runs. */
    public static String describe() {
        if (!vectorized()) return "scalar kernels (" + UNAVAILABLE_CHECKED + ")";
        return "Vector API kernels (" + VectorWidth.doubleLanes() * 64 + "-bit, SELL-C-σ/CSR SpMV, "
                + WorkerPool.shared().parts() + " threads)";
    }

    /** Prepares A with the format rule. */
    public static PreparedSystem prepare(CsrMatrix a) {
        return prepare(a, SpmvFormat.AUTO, -1);
    }

    /**
     * Prepares A for one solve.
     *
     * @param format  format to use (AUTO: the fill rule)
     * @param threads parts to split over, or −1 for the rule (all cores past PARALLEL_MIN_NNZ)
     */
    public static PreparedSystem prepare(CsrMatrix a, SpmvFormat format, int threads) {
        if (!vectorized()) return new PreparedSystem(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE);
        KernelWarmUp.startInBackground();
        return VectorSystems.prepare(a, format, parts(a, threads), SIGMA_CHUNKS);
    }

    /**
     * Prepares P·A·Pᵀ of an IC(0) factor ({@link LevelScheduledIc0#permuted()}) for one solve on
     * {@code threads} parts (−1: the rule), its conversion cached under a key derived from A's
     * fingerprint instead of a hash of P·A·Pᵀ.
     */
    public static PreparedSystem prepare(LevelScheduledIc0 f, int threads) {
        CsrMatrix a = f.permuted();
        if (!vectorized()) return new PreparedSystem(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE);
        KernelWarmUp.startInBackground();
        return VectorSystems.prepare(a, f.permutedKey, SpmvFormat.AUTO, parts(a, threads), SIGMA_CHUNKS);
    }

    /** Prepares A's fp32 copy (values and vectors in fp32, sums in fp64) with the format rule. */
    public static PreparedSystemFp32 prepareFp32(CsrMatrix a) {
        return prepareFp32(a, SpmvFormat.AUTO, -1);
    }

    /** As {@link #prepare(CsrMatrix, SpmvFormat, int)}, for the fp32 half of a mixed-precision solve. */
    public static PreparedSystemFp32 prepareFp32(CsrMatrix a, SpmvFormat format, int threads) {
        if (!vectorized()) return new PreparedSystemFp32(new ScalarCsrOperatorFp32(a), ScalarKrylovKernelsFp32.INSTANCE);
        KernelWarmUp.startInBackground();
        return VectorSystems.prepareFp32(a, format, parts(a, threads), SIGMA_CHUNKS);
    }

    /**
     * A's IC(0) factor renumbered and scheduled for the shared pool (cached per matrix, see
     * {@link Ic0Cache}): split over the cores when A has at least {@link #PARALLEL_MIN_NNZ}
     * non-zeros, else one thread (plain Java either way, so the scalar path runs it too).
     * Throws {@link dev.kiln.solvers.problem.InvalidProblemException} when the factorisation
     * breaks down.
     */
    public static LevelScheduledIc0 ic0Factor(CsrMatrix a) {
        return Ic0Cache.shared().get(a, parts(a, -1));
    }

    /** The part count {@link #ic0Factor} schedules A's factor for. */
    public static int ic0Parts(CsrMatrix a) {
        return parts(a, -1);
    }

    /** {@link #ic0Factor} as a preconditioner for vectors in A's own order (one solve's instance). */
    public static LevelScheduledIc0Solve ic0(CsrMatrix a) {
        return ic0Factor(a).newSolveInNaturalOrder(WorkerPool.shared());
    }

    private static int parts(CsrMatrix a, int threads) {
        return threads > 0 ? Math.min(threads, WorkerPool.shared().parts())
                : a.nnz() >= PARALLEL_MIN_NNZ ? WorkerPool.shared().parts() : 1;
    }

    /**
     * Starts compiling the Vector API kernels in the background (once per process; nothing on the
     * scalar path), so the first jobs do not run them at interpreter speed. See {@link KernelWarmUp}.
     */
    public static void warmUpInBackground() {
        if (vectorized()) KernelWarmUp.startInBackground();
    }

    /**
     * {@link #warmUpInBackground()} and waits for it: benchmarks call it before measuring. Returns
     * the warm-up rounds run, −1 when C2 had not compiled every kernel by the end, 0 when there
     * was nothing to warm (scalar path, or {@code -Dkiln.cpu.warmup=false}).
     */
    public static int awaitWarmUp() throws InterruptedException {
        return vectorized() ? KernelWarmUp.await() : 0;
    }
}
