package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IC(0) factors with their level schedules ({@link LevelScheduledIc0}), keyed by the matrix's
 * {@link CsrMatrix#fingerprint()} and the number of parts, so a family of jobs on one matrix
 * factorises, schedules and probes it once.
 *
 * <p>The probe (matrices of at least {@link #PROBE_MIN_NNZ} non-zeros; smaller ones keep their
 * natural order): A is factorised in its own order and that factor renumbered by level
 * ({@link LevelScheduledIc0#inLevelOrder}), and the ordering whose
 * PCG iteration (the product with its matrix and the preconditioner's two triangular solves) ran
 * faster in {@link #PROBE_ROUNDS} alternating rounds (best of each) is kept. Why not a rule: the
 * level order made one apply 1.03–1.58× faster on Poisson 2D/3D, 1138_bus, bcsstk13, bcsstk21,
 * crystm01, gr_30_30 and nos3 but 0.81–0.84× on bcsstk08, bcsstk25 and msc04515 (whose banded
 * natural order it scatters), and neither rows per level nor entries per row separated the two
 * groups (docs/ARCHITECTURE.md, issue 3). A round costs one iteration, so the probe costs
 * about {@code 2·PROBE_ROUNDS + 2} iterations once per matrix. Least recently used first out, bounded by the bytes the
 * factors hold. A factorisation that fails (not SPD) is not cached: it throws each time.
 * Thread-safe; factorises outside the lock.
 */
public final class Ic0Cache {
    /** 400 MB: a third of {@link ConversionCache#MAX_BYTES}, since a factor holds about twice A's lower half. */
    static final long MAX_BYTES = 400_000_000L;

    private static final Ic0Cache SHARED = new Ic0Cache();

    private final LinkedHashMap<String, LevelScheduledIc0> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public static Ic0Cache shared() { return SHARED; }

    /** A's IC(0) factor scheduled over {@code parts} threads. */
    public LevelScheduledIc0 get(CsrMatrix a, int parts) {
        String key = a.fingerprint() + "/" + parts;
        synchronized (this) {
            LevelScheduledIc0 f = map.get(key);
            if (f != null) return f;
        }
        LevelScheduledIc0 f = probed(a, parts);
        synchronized (this) {
            LevelScheduledIc0 prior = map.putIfAbsent(key, f);
            if (prior != null) return prior;
            bytes += f.bytes();
            var it = map.entrySet().iterator();
            while (bytes > MAX_BYTES && it.hasNext()) {
                Map.Entry<String, LevelScheduledIc0> e = it.next();
                if (e.getValue() == f) continue;
                bytes -= e.getValue().bytes();
                it.remove();
            }
            return f;
        }
    }

    public synchronized int size() { return map.size(); }

    /**
     * Smaller matrices keep their natural order without a probe. The set-up runs once per matrix,
     * so it runs interpreted, and for one cold solve it cost more than the level order saved
     * (./kiln bench cg --quick, set-up timed in: gr_30_30 3.1 ms probed against 0.9 natural,
     * crystm01 14.5 against 4.6, 1138_bus 8.3 against 2.1; bcsstk21 was the exception, 72 against
     * 106 ms). Past it the solves dominate (Poisson 512²: 3.4 s probed, 1.4 s of it set-up,
     * against 7.4 s natural). The same bound as {@link CpuKernels#PARALLEL_MIN_NNZ}.
     */
    static final long PROBE_MIN_NNZ = CpuKernels.PARALLEL_MIN_NNZ;

    /** Rounds of the ordering probe, after one untimed round of each. */
    static final int PROBE_ROUNDS = 3;

    /**
     * The faster of the level and natural orderings for one PCG iteration on A (see the class
     * comment), uncached; converts P·A·Pᵀ for the SpMV on the way (that conversion is cached).
     */
    public static LevelScheduledIc0 probed(CsrMatrix a, int parts) {
        LevelScheduledIc0 natural = LevelScheduledIc0.of(a, parts, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS,
                LevelScheduledIc0.Ordering.NATURAL);
        if (a.nnz() < PROBE_MIN_NNZ) return natural;
        // the natural factor renumbered: A is factorised once
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(natural, a, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS);
        long tl = Long.MAX_VALUE, tn = Long.MAX_VALUE;
        var pl = probe(levels, parts);
        var pn = probe(natural, parts);
        for (int r = 0; r <= PROBE_ROUNDS; r++) {
            long l = pl.getAsLong(), nat = pn.getAsLong();
            if (r > 0) { tl = Math.min(tl, l); tn = Math.min(tn, nat); }
        }
        return tl < tn ? levels : natural;
    }

    /** A timed PCG iteration's matrix work for one ordering: q = A'·p, then z = M⁻¹·r. */
    private static java.util.function.LongSupplier probe(LevelScheduledIc0 f, int parts) {
        int n = f.rows();
        PreparedSystem sys = CpuKernels.prepare(f, parts);
        LevelScheduledIc0Solve m = f.newSolve(WorkerPool.shared());
        double[] p = new double[n], q = new double[n], z = new double[n];
        java.util.Arrays.fill(p, 1.0);
        return () -> {
            long t0 = System.nanoTime();
            sys.operator().apply(p, q);
            m.apply(q, z);
            return System.nanoTime() - t0;
        };
    }
}
