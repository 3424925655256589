package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * One-flip tabu search for QUBO, the local search of Glover, Lü and Hao's memetic algorithms
 * (Z. Lü, F. Glover, J.-K. Hao, "A hybrid metaheuristic approach to solving the unconstrained
 * binary quadratic programming problem", EJOR 207(3), 2010, §3.3; the same one-flip scheme as
 * Glover, Kochenberger and Alidaee's tabu search and Palubeckis' MST2 local phase): every
 * iteration flips the variable with the lowest ΔE among those not tabu — or a tabu one whose
 * flip gives a state better than the best so far (aspiration) — even when ΔE &gt; 0, then
 * forbids flipping it back for tt = n/100 + rand(1..10) iterations (Lü et al. 2010, §3.3:
 * "tt(i) = tt + rand(10)", tt = n/100). It stops after {@code maxStale} iterations without
 * a new best (Lü et al.'s improvement cutoff α), and keeps the best state it held.
 *
 * <p>Fields fᵢ = aᵢ + Σⱼ bᵢⱼxⱼ are cached, so a flip costs O(degree) and choosing one O(n) (a
 * scan over ΔEᵢ = (1 − 2xᵢ)·fᵢ). Ties go to the lowest index, and the tenure's random part
 * comes from the caller's seed, so a search is a pure function of (start, seed, maxStale).
 *
 * <p>Not thread-safe: one instance per worker thread, reused across searches; allocation-free
 * after construction.
 */
public final class TabuSearch {
    /** Lü et al. 2010, §3.3: the random part of the tenure is rand(1..10). */
    static final int TENURE_RANDOM = 10;
    /** Lü et al. 2010, §3.3: the fixed part of the tenure is n/100. */
    static final int TENURE_DIVISOR = 100;

    private final int n;
    private final LocalFields local;
    private final byte[] x;
    private final byte[] best;
    private final double[] field;
    /** Iteration until which flipping i is tabu (exclusive). */
    private final long[] tabuUntil;
    private double bestEnergy;
    private final Xorshift128Plus rng = new Xorshift128Plus();

    public TabuSearch(QuboProblem q) {
        this.local = new LocalFields(q);
        this.n = local.n;
        this.x = local.x;
        this.field = local.field;
        this.best = new byte[n];
        this.tabuUntil = new long[n];
    }

    /** Decides every few hundred iterations whether the search goes on, and sees each new best. */
    public interface Guard {
        /** @return false to end the search now (time limit, cancellation) */
        boolean proceed();

        /** @return false to end the search now (a target reached); called on each new best energy */
        boolean improved(double bestEnergy);
    }

    /**
     * Searches from {@code start} (copied) until {@code maxStale} iterations pass without a new
     * best, or the guard says stop. Returns the iterations done; the best state and its energy
     * are then in {@link #best()} and {@link #bestEnergy()}.
     */
    public long search(byte[] start, long seed, long maxStale, Guard guard) {
        rng.seed(seed);
        System.arraycopy(start, 0, x, 0, n);
        java.util.Arrays.fill(tabuUntil, 0);
        local.recompute();
        bestEnergy = local.energy;
        System.arraycopy(x, 0, best, 0, n);
        int tenureBase = n / TENURE_DIVISOR;
        long iter = 0;
        long lastImprovement = 0;
        while (iter - lastImprovement < maxStale) {
            // Best admissible move: lowest ΔE among non-tabu variables, or any that beats the best (aspiration).
            int pick = -1;
            double pickDelta = Double.POSITIVE_INFINITY;
            double aspiration = bestEnergy - local.energy;
            for (int i = 0; i < n; i++) {
                double d = x[i] == 0 ? field[i] : -field[i];
                if (d < pickDelta && (tabuUntil[i] <= iter || d < aspiration)) {
                    pick = i;
                    pickDelta = d;
                }
            }
            if (pick < 0) break; // every variable tabu and none aspirates (only when n is tiny)
            local.flip(pick, pickDelta);
            tabuUntil[pick] = iter + 1 + tenureBase + 1 + (int) ((rng.next() >>> 33) % TENURE_RANDOM);
            iter++;
            if (local.energy < bestEnergy) {
                bestEnergy = local.energy;
                System.arraycopy(x, 0, best, 0, n);
                lastImprovement = iter;
                if (!guard.improved(bestEnergy)) break;
            }
            if ((iter & 255) == 0 && !guard.proceed()) break;
        }
        return iter;
    }

    public double bestEnergy() { return bestEnergy; }

    /** The best state of the last search (live; copy it to keep it). */
    public byte[] best() { return best; }
}
