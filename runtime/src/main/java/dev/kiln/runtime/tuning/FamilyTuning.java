package dev.kiln.runtime.tuning;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one family (and one method: SOR, SSOR and SSOR-PCG want different ω) has learned: the
 * context-free {@link UnimodalBandit}, the {@link ContextualBandit} for jobs with a context, and
 * counters for reports. Not thread-safe: {@link OmegaTuner} synchronises on it.
 */
final class FamilyTuning {
    /** Recent choices kept for {@code GET /v1/tuning}: enough to see the distribution settle. */
    static final int RECENT = 64;

    private final OmegaGrid grid;
    private UnimodalBandit bandit;
    private final ContextualBandit contextual;
    private final Deque<Double> recent = new ArrayDeque<>();
    private long jobs, explored, contextualJobs;

    FamilyTuning(OmegaGrid grid, long seed) {
        this.grid = grid;
        this.bandit = new UnimodalBandit(grid.arms());
        this.contextual = new ContextualBandit(grid.arms(), seed);
    }

    record Choice(int arm, double omega, boolean explored, boolean contextual) { }

    Choice choose(double[] context) {
        if (context.length > 0) {
            ContextualBandit.Choice c = contextual.choose(context);
            if (!Double.isNaN(c.predictedLogCost())) return new Choice(c.arm(), grid.omega(c.arm()), c.explored(), true);
        }
        int lead = bandit.leader();
        int arm = bandit.choose();
        return new Choice(arm, grid.omega(arm), arm != lead, false);
    }

    void update(Choice c, double[] context, double cost) {
        bandit.update(c.arm(), cost);
        if (context.length > 0) contextual.update(c.arm(), context, cost);
        jobs++;
        if (c.explored()) explored++;
        if (c.contextual()) contextualJobs++;
        recent.addLast(c.omega());
        if (recent.size() > RECENT) recent.removeFirst();
    }

    ArmStats[] stats() { return bandit.stats(); }

    /** The contextual bandit, for snapshots and merges (the caller holds this object's monitor). */
    ContextualBandit contextual() { return contextual; }

    /**
     * Merges persisted statistics: per arm, the side with more pulls wins. Idempotent and
     * commutative, so replaying the compacted topic, or two replicas' snapshots in any order,
     * never counts an observation twice (it may drop the smaller side's observations of an arm
     * both learned in parallel: the price of not double counting without per-replica keys).
     */
    void merge(ArmStats[] other) {
        ArmStats[] mine = bandit.stats();
        if (other.length != mine.length) return;
        for (int i = 0; i < mine.length; i++) if (other[i].pulls() > mine[i].pulls()) mine[i] = other[i];
        bandit = new UnimodalBandit(mine);
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> arms = new ArrayList<>();
        ArmStats[] s = bandit.stats();
        long total = 0;
        for (ArmStats a : s) total += a.pulls();
        for (int i = 0; i < s.length; i++) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("omega", grid.omega(i));
            a.put("pulls", s[i].pulls());
            a.put("weight", total == 0 ? 0.0 : (double) s[i].pulls() / total);
            a.put("meanIterations", s[i].pulls() == 0 ? null : s[i].mean());
            arms.add(a);
        }
        int lead = bandit.leader();
        m.put("algorithm", "osub-unimodal-bandit (+ contextual kernel/SquareCB when jobs carry context)");
        m.put("arms", arms);
        m.put("choice", lead < 0 ? null : grid.omega(lead));
        m.put("jobs", jobs);
        m.put("explored", explored);
        m.put("contextualJobs", contextualJobs);
        m.put("regretEstimateIterations", bandit.regretEstimate());
        m.put("recentOmegas", List.copyOf(recent));
        return m;
    }
}
