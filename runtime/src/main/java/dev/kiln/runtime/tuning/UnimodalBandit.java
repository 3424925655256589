package dev.kiln.runtime.tuning;

import java.util.Arrays;

/**
 * A cost-minimising bandit over arms on a line whose mean cost is unimodal in the arm: OSUB
 * (Combes and Proutière, "Unimodal Bandits: Regret Lower Bounds and Optimal Algorithms", ICML
 * 2014, Algorithm 1), with an empirical-Bernstein index (Audibert, Munos and Szepesvári, TCS
 * 2009) in place of KL-UCB because iteration counts are not bounded by a known constant.
 *
 * <p>Why not the paper's Tsallis-INF ({@link TsallisInf}): "Learning to Relax" (§3) proves
 * iteration counts are a smooth, unimodal-in-expectation function of ω (its near-asymptotic
 * surrogate bound, §3.1, is unimodal), and Tsallis-INF ignores that, paying for exploring every
 * arm. OSUB only ever explores the two neighbours of the empirical leader, so exploration costs
 * little near the optimum, and its regret does not grow with the number of arms K.
 *
 * <p>Opening: the first pulls probe three arms at ¼, ½ and ¾ of the grid (a coarse bracket, so
 * the walk from the leader to the optimum is short) before OSUB takes over. Every
 * (leader count − 1) divisible by γ + 1 = 3 (γ = 2 neighbours on a line) pulls the leader itself,
 * as in Algorithm 1. Not thread-safe: callers synchronise.
 */
public final class UnimodalBandit {
    /** Weight of the range term in the confidence bound; see {@link #index}. */
    static final double RANGE_FACTOR = 0.3;

    private final ArmStats[] arms;
    private final long[] leaderCount;

    public UnimodalBandit(int k) {
        arms = new ArmStats[k];
        Arrays.fill(arms, ArmStats.EMPTY);
        leaderCount = new long[k];
    }

    /** Restores from statistics (e.g. a snapshot). */
    public UnimodalBandit(ArmStats[] stats) {
        this(stats.length);
        for (int i = 0; i < stats.length; i++) {
            arms[i] = stats[i];
        }
    }

    public int size() { return arms.length; }

    public ArmStats stats(int arm) { return arms[arm]; }

    public ArmStats[] stats() { return arms.clone(); }

    /** The arm with the lowest mean cost so far, or −1 before any pull. */
    public int leader() {
        int best = -1;
        for (int i = 0; i < arms.length; i++) {
            if (arms[i].pulls() > 0 && (best < 0 || arms[i].mean() < arms[best].mean())) best = i;
        }
        return best;
    }

    /** The next arm to pull. Advances the leader counts (call once per job). */
    public int choose() {
        int k = arms.length;
        for (int probe : new int[]{k / 2, k / 4, (3 * k) / 4}) {
            if (arms[probe].pulls() == 0) return probe;
        }
        int lead = leader();
        long l = ++leaderCount[lead];
        if ((l - 1) % 3 == 0) return lead;
        int best = lead;
        double bestIndex = index(lead, l, arms[lead].mean());
        for (int nb : new int[]{lead - 1, lead + 1}) {
            if (nb < 0 || nb >= k) continue;
            if (arms[nb].pulls() == 0) return nb;
            double ix = index(nb, l, arms[lead].mean());
            if (ix < bestIndex) { bestIndex = ix; best = nb; }
        }
        return best;
    }

    /**
     * Lower confidence bound on the arm's mean cost, of empirical-Bernstein form (Audibert et al.
     * 2009, Thm. 1, with δ = 1/ℓ as in OSUB's log ℓ exploration):
     * mean − sqrt(2·var·log ℓ / n) − {@link #RANGE_FACTOR}·b·log ℓ / n with b = the leader's mean
     * cost as the cost scale. The theorem's range term (3·range) made OSUB explore the leader's
     * neighbours too long (1.04–1.10× best fixed on the paper's experiment); 0.3·leader mean was
     * measured best among {3·max mean, 3·leader mean, 0, 0.3·leader mean} on three independent
     * replays of that experiment (1.02–1.055×), see docs/ARCHITECTURE.md "Learned tuning".
     */
    private double index(int arm, long leaderPulls, double leaderMean) {
        ArmStats s = arms[arm];
        double lg = Math.log(Math.max(leaderPulls, 2));
        return s.mean() - Math.sqrt(2 * s.variance() * lg / s.pulls()) - RANGE_FACTOR * leaderMean * lg / s.pulls();
    }

    public void update(int arm, double cost) {
        arms[arm] = arms[arm].plus(cost);
    }

    /**
     * Plug-in estimate of the regret so far: Σ over arms of pulls·(mean − leader's mean), i.e.
     * what the pulls cost beyond always playing the empirically best arm.
     */
    public double regretEstimate() {
        int lead = leader();
        if (lead < 0) return 0;
        double best = arms[lead].mean(), r = 0;
        for (ArmStats s : arms) if (s.pulls() > 0) r += s.pulls() * (s.mean() - best);
        return r;
    }
}
