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
 * about {@code 2·PROBE_ROUNDS + 2} iterations once per matrix, so it is skipped when the factor
 * is nearly exact ({@link #NEARLY_EXACT}: PCG would end in a few iterations). The backend's
 * IC(0)-PCG ({@code CpuIc0Cg.solveDeciding}) asks that of its own first iterations instead and
 * caches what it settled ({@link #put}); {@link #get} (a preconditioner for vectors in A's order)
 * still tests and probes up front. Least recently used first out, bounded by the bytes the
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
        LevelScheduledIc0 f = cached(a, parts);
        return f != null ? f : put(a, parts, probed(a, parts));
    }

    /** A's factor for {@code parts} threads when one is cached, else null. */
    public LevelScheduledIc0 cached(CsrMatrix a, int parts) {
        String key = a.fingerprint() + "/" + parts;
        synchronized (this) {
            return map.get(key);
        }
    }

    /**
     * Caches {@code f} (whose ordering is decided) as A's factor for {@code parts} threads,
     * unless one is already there; returns the one cached.
     */
    public LevelScheduledIc0 put(CsrMatrix a, int parts, LevelScheduledIc0 f) {
        if (f.rows() != a.rows() || f.parts() != parts) throw new IllegalArgumentException("factor of " + f.rows() + " rows on "
                + f.parts() + " parts, matrix of " + a.rows() + " rows on " + parts);
        String key = a.fingerprint() + "/" + parts;
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
     * against 7.4 s natural). The same bound as {@link CpuKernels#PARALLEL_MIN_NNZ}. crystm01, in
     * that list, has 105 339 non-zeros (its file's 55 107 are one triangle), so it stayed above
     * the bound and was probed; the {@link #NEARLY_EXACT} test now exempts it. Just above the
     * bound the probe does pay when PCG runs long: Poisson 2D 150² (111 900 non-zeros, 117
     * iterations) cold solve probed 0.73× the unprobed one (medians of 4 alternating, load 9–14).
     */
    static final long PROBE_MIN_NNZ = CpuKernels.PARALLEL_MIN_NNZ;

    /** Rounds of the ordering probe, after one untimed round of each. */
    static final int PROBE_ROUNDS = 3;

    /**
     * What the probe costs in PCG iterations' products and solves (one untimed and
     * {@link #PROBE_ROUNDS} timed rounds of each ordering), besides renumbering A and converting
     * P·A·Pᵀ: a PCG on the natural factor that has not converged after this many iterations
     * runs long enough for the probe to be worth asking ({@code CpuIc0Cg.solveDeciding}).
     */
    public static final int PROBE_ITERATIONS = 2 * PROBE_ROUNDS + 2;

    /**
     * The faster of the level and natural orderings for one PCG iteration on A (see the class
     * comment), uncached; converts P·A·Pᵀ for the SpMV on the way (that conversion is cached).
     */
    public static LevelScheduledIc0 probed(CsrMatrix a, int parts) {
        LevelScheduledIc0 natural = natural(a, parts);
        if (!probes(a) || contraction(natural, parts) < NEARLY_EXACT) return natural;
        return faster(natural, a);
    }

    /** A's IC(0) in its own order, scheduled for {@code parts} threads, unprobed and uncached. */
    public static LevelScheduledIc0 natural(CsrMatrix a, int parts) {
        return LevelScheduledIc0.of(a, parts, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS, LevelScheduledIc0.Ordering.NATURAL);
    }

    /** Whether A is large enough for the ordering probe ({@link #PROBE_MIN_NNZ}); smaller ones keep their natural order. */
    public static boolean probes(CsrMatrix a) {
        return a.nnz() >= PROBE_MIN_NNZ;
    }

    /**
     * The probe itself: {@code natural} (A's factor in its own order, from {@link #natural}) or
     * it renumbered by level, whichever ran a PCG iteration faster; uncached. Converts P·A·Pᵀ
     * for the SpMV on the way (that conversion is cached).
     */
    public static LevelScheduledIc0 faster(LevelScheduledIc0 natural, CsrMatrix a) {
        int parts = natural.parts();
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

    /**
     * Below this {@link #contraction} the factor is so close to A that PCG ends in a handful of
     * iterations, fewer than the probe costs (≈ {@code 2·PROBE_ROUNDS + 2} iterations' products
     * and solves, plus renumbering and converting P·A·Pᵀ), so the natural order is kept unprobed.
     * Measured here (throwaway harness: IC(0) of each matrix, v seeded as below, iterations of
     * IC(0)-PCG to 1e-8 from b = 1): crystm01 8.9e-5 (2 iterations; probed, its cold solve took
     * 1.6× the unprobed one: 49 against 30 ms, medians of 4 alternating, load 9–14); every other
     * matrix at hand 0.12 or more — gr_30_30 0.12 (21), nos3 0.18 (49), Poisson 2D 50²–512² 0.18–0.20
     * (42–344), 1138_bus 0.56 (153), msc04515 0.85 (1 286), bcsstk21 1.0 (363), bcsstk13 2.7 (444),
     * bcsstk08 6.1 (34), bcsstk25 7.2 (4 270). 0.01 sits two decades from either side.
     * {@code CpuIc0Cg.solveDeciding} compares PCG's first ‖r₁‖/‖r₀‖ (b = 1) with it: crystm01
     * 4.7e-5, Poisson 150² with σ = 1000 1.6e-7, every other matrix above 1 (the residual grows:
     * bcsstk21 1.09, gr_30_30 1.68, 1138_bus 3.15, Poisson 2D 50²–512² 2.9–10.2, bcsstk25 23.9;
     * measured here with a throwaway harness, docs/ARCHITECTURE.md issue 3, third pass).
     */
    public static final double NEARLY_EXACT = 0.01;

    /** Seed of {@link #contraction}'s vector: fixed, so a matrix's choice does not vary between runs. */
    private static final long CONTRACTION_SEED = 20261129L;

    /**
     * ‖(I − A·M⁻¹)·v‖/‖v‖ for M = L·Lᵀ from {@code natural} and a fixed pseudo-random v in
     * [−½, ½)ⁿ: one preconditioned Richardson step's contraction, how far M is from A (0 when
     * exact). One product and one apply, on the conversion of A the solve uses anyway.
     */
    static double contraction(LevelScheduledIc0 natural, int parts) {
        int n = natural.rows();
        PreparedSystem sys = CpuKernels.prepare(natural, parts);
        LevelScheduledIc0Solve m = natural.newSolve(WorkerPool.shared());
        double[] v = new double[n], z = new double[n], az = new double[n];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(CONTRACTION_SEED);
        for (int i = 0; i < n; i++) v[i] = rnd.nextDouble() - 0.5;
        m.apply(v, z);
        sys.operator().apply(z, az);
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            double d = v[i] - az[i];
            num += d * d;
            den += v[i] * v[i];
        }
        return Math.sqrt(num / den);
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
