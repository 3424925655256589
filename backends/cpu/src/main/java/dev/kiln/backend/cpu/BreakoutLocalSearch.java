package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * Breakout Local Search (U. Benlic, J.-K. Hao, "Breakout local search for the max-cut problem",
 * Engineering Applications of Artificial Intelligence 26(3), 2013, 1162–1173; "BLS" below) on a
 * QUBO with integer weights, the gains kept in buckets ({@link BucketedGains}). It alternates:
 * <ol>
 *   <li>steepest descent: flip the variable of lowest ΔE while ΔE &lt; 0 (BLS §3.2, best-improvement
 *       one-flip moves; the bucket array gives the lowest ΔE in O(1) amortised, a flip costs
 *       O(degree));</li>
 *   <li>a perturbation of L moves from the local optimum (BLS §3.3–3.4), L adapted: L + 1 when the
 *       descent came back to a local optimum of the same energy as the last one (the perturbation
 *       was too weak to leave its basin), L₀ otherwise, at most L_max; the kind of perturbation
 *       drawn with P = max(e^(−ω/T), P₀), ω the local optima since the best last improved:
 *       directed (tabu) with probability P·Q, recency-based with P·(1 − Q), random with 1 − P,
 *       and a random one of L_max moves when ω &gt; T (the search is stagnating), after which ω = 0.</li>
 * </ol>
 * Directed moves flip the lowest-ΔE variable that is not tabu — or a tabu one whose flip beats the
 * best energy (aspiration) — even when ΔE &gt; 0; recency-based moves flip the L variables flipped
 * longest ago; random moves flip uniformly drawn variables. Every perturbation move makes its
 * variable tabu for rand[φ_min, φ_max] flips; the descent ignores tabu status (BLS §3.4).
 *
 * <p>Parameters are BLS's Max-Cut settings (§4.1, Table 1; transcribed without the paper at hand
 * and cross-checked against a public re-implementation's defaults, rlsolver
 * {@code methods/maxcut_BLS}): L₀ = 0.01·n, φ ∈ [3, n/10], P₀ = 0.8, Q = 0.5; L_max and T are
 * set here for a 1 s budget (0.2·n and 100 instead of 0.1·n and 1000; see the constants).
 *
 * <p>Two departures from the paper, both for speed: ties between local optima are told apart by
 * energy only (L grows when the new optimum has the previous one's energy, a cheap stand-in
 * for "the same local optimum"), and the recency-based moves take the head of a list kept in flip order (O(1) per
 * flip) instead of searching for the least recently moved variable.
 *
 * <p>A search is a pure function of (start, seed, maxFlips) unless the guard stops it: ties in ΔE
 * go to the bucket's head (see {@link BucketedGains}) and all randomness comes from the seed.
 * Not thread-safe: one instance per worker thread, reused across searches; allocation-free after
 * construction.
 */
public final class BreakoutLocalSearch {
    /** BLS §4.1: initial jump magnitude L₀ = 0.01·n (at least one move). */
    static final double JUMP_INITIAL_FRACTION = 0.01;
    /**
     * Largest jump magnitude L_max = 0.2·n: BLS §4.1 has 0.1·n; measured here with T = 100 (throwaway
     * harness, one thread, 5·10⁶ flips from random starts, 8 seeds, cut ≥ 3061 counted as reached):
     * on G14 L_max 0.1/0.15/0.2/0.25 reached 3061 in 1/3/6/0 of 8 runs (0.3 and 0.5 with T = 300:
     * 2 and 0), and with 0.2 G15's 3047 in 8 of 8 against 2 of 8 with BLS's own T and L_max. Noisy
     * (one seed set), so an order of magnitude, not an optimum.
     */
    static final double JUMP_MAX_FRACTION = 0.2;
    /**
     * T, the local optima without improvement after which the search is stagnating and gets a
     * random jump of L_max: BLS §4.1 has 1000; measured here as for {@link #JUMP_MAX_FRACTION}
     * (L_max = 0.2·n): T = 50/100/300/1000 reached G14's 3061 in 2/6/5/2 of 8 runs. In a 1 s
     * budget a search visits 10⁵–10⁶ local optima, and the planar G-set graphs reward the
     * stronger, more frequent jumps.
     */
    static final int STAGNATION = 100;
    /** BLS §4.1: P₀, the lowest probability of a directed-or-recency (not random) perturbation. */
    static final double DIRECTED_FLOOR = 0.8;
    /** BLS §4.1: Q, the share of directed (tabu) among the non-random perturbations. */
    static final double DIRECTED_SHARE = 0.5;
    /** BLS §4.1: tabu tenure drawn from [φ_min, n/10]. */
    static final int TENURE_MIN = 3;
    static final int TENURE_MAX_DIVISOR = 10;

    private final int n;
    private final BucketedGains g;
    private final byte[] best;
    private final long[] tabuUntil;
    /** Recency list, oldest flip first: neighbours of each variable in flip order (−1 at the ends). */
    private final int[] olderThan;
    private final int[] newerThan;
    private int oldest;
    private int newest;
    private final int jumpInitial;
    private final int jumpMax;
    private final int tenureMin;
    private final int tenureSpan;
    private final Xorshift128Plus rng = new Xorshift128Plus();
    private long flips;
    private long bestEnergy;

    public BreakoutLocalSearch(QuboProblem q) {
        this.g = new BucketedGains(q);
        this.n = g.n;
        this.best = new byte[n];
        this.tabuUntil = new long[n];
        this.olderThan = new int[n];
        this.newerThan = new int[n];
        this.jumpInitial = Math.max(1, (int) Math.round(JUMP_INITIAL_FRACTION * n));
        this.jumpMax = Math.max(jumpInitial, (int) Math.round(JUMP_MAX_FRACTION * n));
        this.tenureMin = Math.min(TENURE_MIN, Math.max(1, n / TENURE_MAX_DIVISOR));
        this.tenureSpan = Math.max(1, n / TENURE_MAX_DIVISOR - tenureMin + 1);
    }

    /** Whether the search applies to {@code q}: integer weights in the bucket range ({@link BucketedGains#fits}). */
    public static boolean fits(QuboProblem q) { return BucketedGains.fits(q); }

    /**
     * Searches from {@code start} (copied) until {@code maxFlips} flips were made or the guard
     * stops it. Returns the flips made; the best state and its energy (without the problem's
     * offset) are then in {@link #best()} and {@link #bestEnergy()}.
     */
    public long search(byte[] start, long seed, long maxFlips, TabuSearch.Guard guard) {
        rng.seed(seed);
        System.arraycopy(start, 0, g.x, 0, n);
        g.load();
        java.util.Arrays.fill(tabuUntil, 0);
        for (int i = 0; i < n; i++) {
            olderThan[i] = i - 1;
            newerThan[i] = i + 1 < n ? i + 1 : -1;
        }
        oldest = 0;
        newest = n - 1;
        flips = 0;
        bestEnergy = g.energy;
        System.arraycopy(g.x, 0, best, 0, n);
        int jump = jumpInitial;
        long stale = 0;
        long lastOptimum = Long.MAX_VALUE;
        long nextPoll = 256;
        while (flips < maxFlips) {
            descend(maxFlips);
            long e = g.energy;
            if (e < bestEnergy) {
                bestEnergy = e;
                System.arraycopy(g.x, 0, best, 0, n);
                stale = 0;
                if (!guard.improved(bestEnergy)) break;
            } else {
                stale++;
            }
            jump = e == lastOptimum ? Math.min(jump + 1, jumpMax) : jumpInitial;
            lastOptimum = e;
            if (flips >= nextPoll) {
                if (!guard.proceed()) break;
                nextPoll = flips + 256;
            }
            if (flips >= maxFlips) break;
            long room = maxFlips - flips; // a perturbation never overruns the flip budget
            if (stale > STAGNATION) {
                perturbRandomly((int) Math.min(jumpMax, room));
                stale = 0;
                continue;
            }
            int moves = (int) Math.min(jump, room);
            double p = Math.max(Math.exp(-(double) stale / STAGNATION), DIRECTED_FLOOR);
            double u = uniform();
            if (u < p * DIRECTED_SHARE) perturbDirected(moves);
            else if (u < p) perturbByRecency(moves);
            else perturbRandomly(moves);
        }
        return flips;
    }

    /** Steepest descent to a one-flip local minimum (BLS §3.2). */
    private void descend(long maxFlips) {
        while (flips < maxFlips) {
            int b = g.lowestBucket();
            if (b >= g.bias) return; // lowest ΔE ≥ 0: local minimum
            flip(g.first(b));
        }
    }

    /** L best non-tabu moves with aspiration (BLS §3.4, directed perturbation). */
    private void perturbDirected(int moves) {
        int[] next = g.next;
        for (int m = 0; m < moves; m++) {
            int pick = -1;
            int b = g.lowestBucket();
            for (; b < g.buckets && pick < 0; b++) {
                // aspiration: a tabu move is admissible when it reaches a new best energy
                boolean aspires = g.energy + (b - g.bias) < bestEnergy;
                for (int v = g.first(b); v < n; v = next[v]) {
                    if (aspires || tabuUntil[v] <= flips) {
                        pick = v;
                        break;
                    }
                }
            }
            if (pick < 0) return; // every variable tabu (only when n is tiny)
            flipTabu(pick);
        }
    }

    /** The L variables flipped longest ago (BLS §3.4, recency-based perturbation): the head of the recency list. */
    private void perturbByRecency(int moves) {
        for (int m = 0; m < moves; m++) flipTabu(oldest); // each flip moves the head to the tail
    }

    /** L uniformly drawn variables (BLS §3.4, random perturbation). */
    private void perturbRandomly(int moves) {
        for (int m = 0; m < moves; m++) flipTabu((int) ((rng.next() >>> 33) % n));
    }

    private void flipTabu(int v) {
        flip(v);
        tabuUntil[v] = flips + tenureMin + (rng.next() >>> 33) % tenureSpan;
    }

    private void flip(int v) {
        g.flip(v);
        flips++;
        // move v to the tail of the recency list (O(1)), so its head is the variable flipped longest ago
        if (v == newest) return;
        int p = olderThan[v];
        int nx = newerThan[v];
        if (p >= 0) newerThan[p] = nx;
        else oldest = nx;
        olderThan[nx] = p;
        olderThan[v] = newest;
        newerThan[v] = -1;
        newerThan[newest] = v;
        newest = v;
    }

    private double uniform() { return (rng.next() >>> 11) * 0x1p-53; }

    public double bestEnergy() { return bestEnergy; }

    /** The best state of the last search (live; copy it to keep it). */
    public byte[] best() { return best; }
}
