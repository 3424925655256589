package dev.kiln.runtime.routing;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a backend's fit is off, by family and size: per backend × kind × family × size bucket
 * (⌊log₂(1 + n + nnz)⌋, a doubling of the footprint), the last {@link #WINDOW} runs' work,
 * bytes and time. A prediction is corrected by the median of their residuals ln(actual) −
 * ln(fit) — against the fit as it is now, so a fit that has since learned the region is not
 * corrected twice — shrunk by m/(m + 1) for m residuals (one run moves it half way) and
 * bounded to ×/÷ {@link #BOUND_FACTOR}; only runs among the family's last {@link #AGE} on the
 * backend count. A bucket without runs borrows the nearest one within
 * {@link #REACH} buckets (both sides pooled at equal distance): a fit learned below a size
 * is usually off the same way just above it. A bucket whose only run is far slower than its
 * neighbours counts as one without runs: that run is taken for a stall until a second
 * confirms it ({@link #residualsUnlessLoneStall}).
 *
 * <p>Why: each backend's fit is one curve over every family and size, and a backend's time
 * per unit of work is not one curve — it changes where the matrix leaves the cache and
 * between 2-D and 3-D stencils. A backend the router sends mostly small jobs has a fit
 * learned there, and predicted mid-size and large jobs 2–5× short (measured here: {@code
 * -Dkiln.bench.trace=true ./kiln bench routing --quick --case mixed --no-burst --jobs 400},
 * seeds 1/2/7: sim-half predicted 9–13 ms for runs of 17–30 ms, 10 ms for a 3-D run of 120;
 * those jobs carried most of the regret). Each such run is learned, but one run among hundreds
 * barely moves a global fit (no forgetting, Huber down-weights a 3× miss), so the same mistake
 * repeated job after job. StarPU keeps per-size history for the same reason (its history-based
 * models, one entry per data footprint, Augonnet et al., CCPE 2011 §4); here it is a
 * correction on the fit, which still answers for sizes no run has reached.
 *
 * <p>A wrong correction is cheap where it can flip a choice: it flips only decisions whose
 * true margin is smaller than its error, and the loss is at most that margin.
 *
 * <p>Bounded: at most {@link #MAX_KEYS} backend × kind × family keys (a client naming a new
 * family per job must not grow memory); past it, a new family is not corrected. Not persisted:
 * relearned from the next runs. Thread-safe.
 */
final class SizeBucketResiduals {
    /** Runs kept per bucket: the median of the last 8 follows a change within 4 runs. */
    static final int WINDOW = 8;
    /** Buckets a correction may be borrowed across (2 = a factor 4 in footprint). */
    static final int REACH = 2;
    /** Most the correction may scale a prediction either way. */
    static final double BOUND_FACTOR = 4.0;
    static final int MAX_KEYS = 4_096;
    private static final int BUCKETS = 64;

    /** ln of the fit's time at a work and bytes (the fit as it is now). */
    @FunctionalInterface
    interface Fit {
        double lnMs(double work, double bytes);
    }

    /**
     * Runs of the backend × kind × family after which a run no longer corrects its bucket. A
     * bucket the correction makes look slow gets no more runs, so without an age one slowed run
     * would hold it there for good (measured here: while the bench began on a cold JVM, sim-half's
     * first run, 895 ms for a 2 ms job, kept its 2-D jobs of side 38–64 predicted at 3–7× what
     * they take for the whole run, and they went to sim-launch: ./kiln bench routing --quick
     * --case mixed --no-burst --seed 1, trace, regret 15.1 % against 1.9 % for the round-3 router). With the
     * age a wrong upward correction costs at most one mistake per 64 runs of the family; a right
     * one is relearned by that mistake.
     */
    static final int AGE = 64;

    private final Map<String, Buckets> keys = new ConcurrentHashMap<>();

    /** One key's buckets and the count of its runs (their age). */
    private static final class Buckets {
        final Ring[] rings = new Ring[BUCKETS];
        long runs;
    }

    static String key(String modelKey, String family) {
        return modelKey + "\u0000" + (family == null ? IterationModel.NO_FAMILY : family);
    }

    /** ⌊log₂(1 + footprint)⌋. */
    static int bucket(long footprint) {
        return 63 - Long.numberOfLeadingZeros(Math.max(0, footprint) + 1);
    }

    /** Records one run (ms &gt; 0 and finite, else ignored). */
    void record(String key, long footprint, double work, double bytes, double ms) {
        if (!(ms > 0) || !Double.isFinite(ms)) return;
        Buckets k = keys.get(key);
        if (k == null) {
            if (keys.size() >= MAX_KEYS) return;
            k = keys.computeIfAbsent(key, x -> new Buckets());
        }
        int b = bucket(footprint);
        Ring r;
        long run;
        synchronized (k) {
            r = k.rings[b];
            if (r == null) r = k.rings[b] = new Ring();
            run = k.runs++;
        }
        r.add(work, bytes, Math.log(ms), run);
    }

    /** The ln-correction for a job of this footprint (0 when no recent run is near enough). */
    double lnCorrection(String key, long footprint, Fit fit) {
        Buckets k = keys.get(key);
        if (k == null) return 0;
        int b = bucket(footprint);
        double[] residuals = new double[2 * WINDOW];
        long oldest;
        synchronized (k) {
            oldest = k.runs - AGE;
        }
        for (int d = 0; d <= REACH; d++) {
            int m = 0;
            for (int side = d == 0 ? 1 : -1; side <= 1; side += 2) {
                int i = b + side * d;
                if (i < 0 || i >= BUCKETS) continue;
                m = residualsUnlessLoneStall(k, i, fit, residuals, m, oldest);
            }
            if (m > 0) {
                Arrays.sort(residuals, 0, m);
                double c = estimate(residuals, m);
                if (d == 0 && c > 0) {
                    // A bucket slower than the fit where both neighbours are less so is a bump, and a
                    // cache level is a step, not a bump (time per unit of work does not fall again
                    // as the footprint grows): capped at the higher neighbour. Stalled runs in a rarely
                    // run bucket held the faster backend out of it, a trap: nothing runs there to
                    // correct it (./kiln bench routing --case synthetic, family world: 4.8 % mean, one
                    // seed 37 % without the cap; 3.5 %, none over 8 % with it).
                    double below = nearest(k, b, -1, fit, oldest, residuals);
                    double above = nearest(k, b, 1, fit, oldest, residuals);
                    if (!Double.isNaN(below) && !Double.isNaN(above)) c = Math.min(c, Math.max(below, above));
                }
                double bound = Math.log(BOUND_FACTOR);
                return Math.max(-bound, Math.min(bound, c));
            }
        }
        return 0;
    }

    /** Whether the key has a recent run within {@link #REACH} buckets of the footprint's (what a correction there would rest on). */
    boolean hasRunsNear(String key, long footprint) {
        Buckets k = keys.get(key);
        if (k == null) return false;
        int b = bucket(footprint);
        long oldest;
        synchronized (k) {
            oldest = k.runs - AGE;
        }
        for (int i = Math.max(0, b - REACH); i <= Math.min(BUCKETS - 1, b + REACH); i++) {
            Ring r;
            synchronized (k) {
                r = k.rings[i];
            }
            if (r != null && r.newest() >= oldest) return true;
        }
        return false;
    }

    /** Ring i of k, or null. */
    private static Ring ring(Buckets k, int i) {
        synchronized (k) {
            return k.rings[i];
        }
    }

    /**
     * Appends bucket i's recent residuals to out from m and returns the new count — unless its only
     * recent run is more than {@link #STALL}× slower than the fit and than its neighbours' level (the
     * estimate of the nearest buckets with runs within {@link #REACH}, both sides pooled): that run is
     * taken for a stall and the bucket counts as empty (it borrows, as one without runs) until a
     * second run there confirms or refutes it (two runs: see {@link #estimate}).
     *
     * <p>Why: at half weight a 20–50× stall, a rarely run bucket's only run, still put the faster
     * backend at the ×4 bound there and, borrowed, in the two buckets either side; nothing ran there
     * again to correct it (a trap). Measured here with {@code ./kiln bench routing --case synthetic}
     * (issue 8, round 7): spiky seeds 12 and 14 lost 34 % and 16 % so, "launch" predicted 3–4× its
     * time on the largest 3-D jobs after one 20–35× run. A real step between neighbouring buckets
     * (a cache level: 3× per unit of work in those worlds) passes the test, and a first run past a
     * step that is also slowed and so taken for a stall costs at most one optimistic mistake, whose
     * run corrects it.
     */
    private static int residualsUnlessLoneStall(Buckets k, int i, Fit fit, double[] out, int m, long oldest) {
        Ring r = ring(k, i);
        if (r == null) return m;
        int after = r.residuals(fit, out, m, oldest);
        if (after != m + 1 || out[m] <= Math.log(STALL)) return after;
        double lone = out[m];
        double[] around = new double[2 * WINDOW];
        for (int d = 1; d <= REACH; d++) {
            int n = 0;
            for (int side = -1; side <= 1; side += 2) {
                int j = i + side * d;
                if (j >= 0 && j < BUCKETS) {
                    Ring q = ring(k, j);
                    if (q != null) n = q.residuals(fit, around, n, oldest);
                }
            }
            if (n > 0) {
                Arrays.sort(around, 0, n);
                return lone - estimate(around, n) > Math.log(STALL) ? m : after;
            }
        }
        return after; // no neighbour to compare with: the run counts (at half weight, estimate)
    }

    /**
     * How much slower than its neighbours' level a bucket's only run must be to be taken for a
     * stall: {@link #BOUND_FACTOR}, as {@link ColdFirstRun#COLD_FACTOR} — the worlds' warm slowdowns
     * (one run in ten 1–4×, round 5's loaded machine: p90 of routed ÷ oracle row 1.5–3.8) and their
     * cache step (3×) stay under it. The sweep gives the same counts for 3, 4, 6 and 10 and worse at
     * 2.5 (a cliff's first run taken for a stall): ./kiln bench routing --case synthetic, round 7.
     */
    static final double STALL = BOUND_FACTOR;

    /** The estimate of the nearest bucket with runs on one side of b, within {@link #REACH}; NaN when none. */
    private static double nearest(Buckets k, int b, int side, Fit fit, long oldest, double[] scratch) {
        for (int d = 1; d <= REACH; d++) {
            int i = b + side * d;
            if (i < 0 || i >= BUCKETS) return Double.NaN;
            Ring r;
            synchronized (k) {
                r = k.rings[i];
            }
            int m = r == null ? 0 : r.residuals(fit, scratch, 0, oldest);
            if (m > 0) {
                Arrays.sort(scratch, 0, m);
                return estimate(scratch, m);
            }
        }
        return Double.NaN;
    }

    /**
     * One bucket's correction from its residuals (sorted, m ≥ 1), robust to the loaded machine's
     * stalls, which only ever add time. One run: in full when it makes the backend look faster (a
     * wrong one brings the backend more runs there, which correct it), half when slower (a wrong
     * one keeps the backend from the bucket, and no run there corrects it; a second run confirms
     * it). Two: their mean when they agree (same sign, within a factor {@link #AGREE}), else the
     * one nearer the fit (the other was a stall). Three or more: the lower quartile (run ⌊(m − 1)/4⌋ + 1
     * from the fastest: stalls above it do not move it). Measured here with {@code ./kiln bench routing
     * --case synthetic} (issue 8, round 6): with the median shrunk by m/(m + 1), a cliff was half
     * learned after one run, and a 22× stall, its bucket's only run, held it at the ×4 bound.
     */
    static double estimate(double[] sorted, int m) {
        if (m == 1) return sorted[0] < 0 ? sorted[0] : 0.5 * sorted[0];
        if (m == 2) {
            double a = sorted[0];
            double b = sorted[1];
            if (Math.signum(a) == Math.signum(b) && b - a <= Math.log(AGREE)) return 0.5 * (a + b);
            return Math.abs(a) <= Math.abs(b) ? a : b;
        }
        return sorted[(m - 1) / 4];
    }

    /** Two runs whose residuals differ by at most this factor agree. */
    static final double AGREE = 2.0;

    /** Forgets every key starting with the prefix (a backend's reset). */
    void reset(String prefix) {
        keys.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private static final class Ring {
        private final double[] work = new double[WINDOW];
        private final double[] bytes = new double[WINDOW];
        private final double[] lnMs = new double[WINDOW];
        private final long[] run = new long[WINDOW];
        private int count;
        private int next;

        synchronized void add(double w, double b, double l, long r) {
            work[next] = w;
            bytes[next] = b;
            lnMs[next] = l;
            run[next] = r;
            next = (next + 1) % WINDOW;
            if (count < WINDOW) count++;
        }

        /** The run number of the newest run in the ring (-1 when empty). */
        synchronized long newest() {
            long n = -1;
            for (int i = 0; i < count; i++) n = Math.max(n, run[i]);
            return n;
        }

        /** Appends the residuals against the fit of this ring's runs since {@code oldest} to out from m; returns the new count. */
        synchronized int residuals(Fit fit, double[] out, int m, long oldest) {
            for (int i = 0; i < count; i++) {
                if (run[i] >= oldest) out[m++] = lnMs[i] - fit.lnMs(work[i], bytes[i]);
            }
            return m;
        }
    }
}
