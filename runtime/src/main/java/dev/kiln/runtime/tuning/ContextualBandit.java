package dev.kiln.runtime.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A contextual bandit over the ω grid for jobs that carry a {@code context} vector (e.g. the
 * diagonal shift c of A = A₀ + c·I). It follows the recipe of ChebCB ("Learning to Relax",
 * Khodak et al., ICLR 2024, §4.2): regress each arm's cost on the context, then pick arms with
 * SquareCB's inverse-gap weighting (Foster and Rakhlin, "Beyond UCB", ICML 2020), which
 * approaches the instance-optimal policy rather than the best fixed ω.
 *
 * <p>Decisions where we depart from ChebCB, and why:
 * <ul>
 *   <li>Regression: Nadaraya–Watson kernel smoothing of log(iterations) per arm, shrunk towards
 *   the arm's context-free mean log cost, instead of Chebyshev polynomials — no need to know the
 *   context's range in advance (Chebyshev features need it mapped to [−1, 1]), and works in any
 *   dimension. Log cost because iterations vary by orders of magnitude with the context (near a
 *   singular A) and per context the cost is nearly deterministic, so minimising predicted log
 *   cost picks the same arm as minimising cost.</li>
 *   <li>Candidates: only the predicted best arm and its two grid neighbours, because per
 *   instance the iteration count is unimodal in ω (the surrogate of §3.1), so exploring far arms
 *   can only waste iterations.</li>
 * </ul>
 * Constants: bandwidth {@link #BANDWIDTH} standard deviations of each context coordinate (a
 * tenth of the spread: fine enough that the ω optimum, which moves smoothly with the context,
 * barely changes within it); prior weight {@link #PRIOR}; SquareCB's γ_t = {@link #GAMMA}·√t
 * (Foster and Rakhlin, Thm. 1 set γ ∝ √(KT)); samples kept per arm {@link #MEMORY} (oldest
 * dropped, which also follows a drifting family). Not thread-safe.
 */
public final class ContextualBandit {
    static final double BANDWIDTH = 0.1;
    static final double PRIOR = 0.5;
    static final double GAMMA = 4;
    static final int MEMORY = 512;

    /** One observation: context and log(cost). */
    public record Sample(double[] context, double logCost) { }

    private final List<List<Sample>> samples = new ArrayList<>();
    private final ArmStats[] global;
    private final SplittableRandom random;
    private long t;
    // Welford running mean/variance of each context coordinate, for the kernel's scale.
    private double[] mean = new double[0], m2 = new double[0];
    private long contexts;

    public ContextualBandit(int k, long seed) {
        for (int i = 0; i < k; i++) samples.add(new ArrayList<>());
        global = new ArmStats[k];
        java.util.Arrays.fill(global, ArmStats.EMPTY);
        random = new SplittableRandom(seed);
    }

    /** A choice: the arm, and whether it was exploration (not the predicted best). */
    public record Choice(int arm, boolean explored, double predictedLogCost) { }

    public Choice choose(double[] context) {
        int k = global.length;
        double[] pred = new double[k];
        int best = -1;
        for (int a = 0; a < k; a++) {
            pred[a] = predict(a, context);
            if (!Double.isNaN(pred[a]) && (best < 0 || pred[a] < pred[best])) best = a;
        }
        if (best < 0) return new Choice(k / 2, false, Double.NaN);
        t++;
        double gamma = GAMMA * Math.sqrt(t);
        int[] cand = {best - 1, best + 1};
        double[] p = new double[2];
        double rest = 1;
        for (int j = 0; j < 2; j++) {
            int a = cand[j];
            if (a < 0 || a >= k) continue;
            double gap = Double.isNaN(pred[a]) ? 0 : pred[a] - pred[best];
            p[j] = 1 / (3 + gamma * gap);
            rest -= p[j];
        }
        double u = random.nextDouble();
        if (u < p[0]) return new Choice(cand[0], true, pred[best]);
        if (u < p[0] + p[1]) return new Choice(cand[1], true, pred[best]);
        return new Choice(best, false, pred[best]);
    }

    /** Predicted log cost of the arm at the context, NaN when the arm was never pulled. */
    public double predict(int arm, double[] context) {
        ArmStats g = global[arm];
        if (g.pulls() == 0) return Double.NaN;
        double num = PRIOR * g.meanLog(), den = PRIOR;
        for (Sample s : samples.get(arm)) {
            double d2 = 0;
            int dims = Math.min(context.length, s.context().length);
            for (int i = 0; i < dims; i++) {
                double sd = i < mean.length && contexts > 1 ? Math.sqrt(m2[i] / (contexts - 1)) : 1;
                double z = (context[i] - s.context()[i]) / (BANDWIDTH * (sd > 0 ? sd : 1));
                d2 += z * z;
            }
            double w = Math.exp(-0.5 * d2);
            num += w * s.logCost();
            den += w;
        }
        return num / den;
    }

    public void update(int arm, double[] context, double cost) {
        double[] c = context.clone();
        if (mean.length != c.length) { mean = new double[c.length]; m2 = new double[c.length]; contexts = 0; }
        contexts++;
        for (int i = 0; i < c.length; i++) {
            double d = c[i] - mean[i];
            mean[i] += d / contexts;
            m2[i] += d * (c[i] - mean[i]);
        }
        List<Sample> l = samples.get(arm);
        if (l.size() >= MEMORY) l.remove(0);
        l.add(new Sample(c, Math.log(Math.max(cost, 1))));
        global[arm] = global[arm].plus(cost);
    }

    public List<Sample> samples(int arm) { return List.copyOf(samples.get(arm)); }

    public int arms() { return global.length; }

    /**
     * Merges persisted state (a snapshot of this family's bandit, possibly another replica's).
     * Per arm: every sample of ours is kept and the other side's samples we do not hold (exact
     * equality of context and cost) are added while the arm has room ({@link #MEMORY}) — so
     * replaying a record twice adds nothing; the arm's context-free statistics follow the side
     * with more pulls, as {@link FamilyTuning#merge} does for the unimodal bandit. The context
     * scale is re-estimated from the kept samples (the running one saw contexts since dropped).
     */
    public void merge(ArmStats[] otherGlobal, List<List<Sample>> otherSamples) {
        if (otherGlobal.length != global.length || otherSamples.size() != global.length) return;
        for (int a = 0; a < global.length; a++) {
            if (otherGlobal[a].pulls() > global[a].pulls()) global[a] = otherGlobal[a];
            List<Sample> mine = samples.get(a);
            for (Sample s : otherSamples.get(a)) {
                if (mine.size() >= MEMORY) break;
                if (mine.stream().noneMatch(m -> m.logCost() == s.logCost() && java.util.Arrays.equals(m.context(), s.context()))) {
                    mine.add(new Sample(s.context().clone(), s.logCost()));
                }
            }
        }
        int dims = -1;
        mean = new double[0];
        m2 = new double[0];
        contexts = 0;
        for (List<Sample> arm : samples) {
            for (Sample s : arm) {
                if (dims < 0) { dims = s.context().length; mean = new double[dims]; m2 = new double[dims]; }
                if (s.context().length != dims) continue;
                contexts++;
                for (int i = 0; i < dims; i++) {
                    double d = s.context()[i] - mean[i];
                    mean[i] += d / contexts;
                    m2[i] += d * (s.context()[i] - mean[i]);
                }
            }
        }
        long pulls = 0;
        for (ArmStats g : global) pulls += g.pulls();
        t = Math.max(t, pulls);
    }

    public ArmStats stats(int arm) { return global[arm]; }
}
