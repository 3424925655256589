package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IC(0) factors with their level schedules ({@link LevelScheduledIc0}), keyed by the matrix's
 * {@link CsrMatrix#fingerprint()} and the number of parts, so a family of jobs on one matrix
 * factorises, schedules and orders it once.
 *
 * <p>The ordering (matrices of at least {@link #PROBE_MIN_NNZ} non-zeros; smaller ones keep their
 * natural order): A is factorised in its own order, and that factor is renumbered by level
 * ({@link LevelScheduledIc0#inLevelOrder}) when {@link Ic0OrderingRule} says so from its pattern
 * — no timing, so the same matrix gets the same ordering in every run (a timing probe did this
 * until 29 Nov and its pick varied with the machine's load; see the rule). Renumbering costs
 * about 30 iterations on Poisson 2D 512² (P·A·Pᵀ and its conversion), so it is skipped when the
 * factor is nearly exact ({@link #NEARLY_EXACT}: PCG would end in a few iterations). The backend's
 * IC(0)-PCG ({@code CpuIc0Cg.solveDeciding}) asks that of its own first iterations instead and
 * caches what it settled ({@link #put}); {@link #get} (a preconditioner for vectors in A's order)
 * still tests up front. Least recently used first out, bounded by the bytes the
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
        return f != null ? f : put(a, parts, decided(a, parts));
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
     * Smaller matrices keep their natural order without asking the rule. The set-up runs once per matrix,
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

    /**
     * A PCG on the natural factor that has not converged after this many iterations runs long
     * enough to renumber ({@code CpuIc0Cg.solveDeciding}; the stopped run's iterations are lost,
     * PCG restarts from x0). Kept at what the timing probe it replaced cost (2·3 + 2 products and
     * solves): renumbering itself costs more (Poisson 2D 512²: 73–87 ms for the renumbered factor
     * and 8–29 ms for P·A·Pᵀ's conversion, ≈ 30 iterations; 1024²: 0.49–0.64 s, ≈ 25; measured
     * here, throwaway harness after the warm-up, load 5.7), which a run this long pays back.
     */
    public static final int PROBE_ITERATIONS = 8;

    /**
     * A's factor in the ordering {@link Ic0OrderingRule} picks (natural when A is under the size
     * bound or its factor nearly exact), uncached; converts P·A·Pᵀ for the SpMV when renumbered
     * (that conversion is cached).
     */
    public static LevelScheduledIc0 decided(CsrMatrix a, int parts) {
        LevelScheduledIc0 natural = natural(a, parts);
        // the rule first: one pass over the pattern, where the contraction test costs several applies
        if (!probes(a) || !Ic0OrderingRule.prefersLevels(natural) || contraction(natural, parts) < NEARLY_EXACT) return natural;
        return renumbered(natural, a);
    }

    /** A's IC(0) in its own order, scheduled for {@code parts} threads, unprobed and uncached. */
    public static LevelScheduledIc0 natural(CsrMatrix a, int parts) {
        return LevelScheduledIc0.of(a, parts, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS, LevelScheduledIc0.Ordering.NATURAL);
    }

    /** Whether A is large enough to ask the ordering rule ({@link #PROBE_MIN_NNZ}); smaller ones keep their natural order. */
    public static boolean probes(CsrMatrix a) {
        return a.nnz() >= PROBE_MIN_NNZ;
    }

    /**
     * {@code natural} (A's factor in its own order, from {@link #natural}) or, when
     * {@link Ic0OrderingRule} prefers it, that factor renumbered by level; uncached. Converts
     * P·A·Pᵀ for the SpMV when renumbered (that conversion is cached).
     */
    public static LevelScheduledIc0 chosen(LevelScheduledIc0 natural, CsrMatrix a) {
        return Ic0OrderingRule.prefersLevels(natural) ? renumbered(natural, a) : natural;
    }

    /**
     * {@code natural} renumbered by level, for a caller that has already asked
     * {@link Ic0OrderingRule}; uncached. Converts P·A·Pᵀ for the SpMV (that conversion is cached).
     */
    public static LevelScheduledIc0 renumbered(LevelScheduledIc0 natural, CsrMatrix a) {
        // the natural factor renumbered: A is factorised once
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(natural, a, LevelScheduledIc0.MIN_PARALLEL_LEVEL_ROWS);
        CpuKernels.prepare(levels, natural.parts());
        return levels;
    }

    /**
     * Below this {@link #contraction} the factor is so close to A that PCG ends in a handful of
     * iterations, fewer than renumbering costs (≈ 30 iterations' worth on Poisson 2D 512², see
     * {@link #PROBE_ITERATIONS}), so the natural order is kept.
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
}
