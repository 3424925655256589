package dev.kiln.runtime.tuning;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one family learned about which method × preconditioner solves its jobs fastest: a
 * cost-minimising bandit whose cost is the solve's wall time.
 *
 * <p>Index: the same empirical-Bernstein lower confidence bound as {@link UnimodalBandit}
 * (Audibert, Munos and Szepesvári, TCS 2009, Thm. 1; range term {@link UnimodalBandit#RANGE_FACTOR}
 * × the leader's mean, as measured there), over every arm that fits the job: the arms have no
 * order, so every arm neighbours every other, and OSUB (Combes and Proutière, ICML 2014) then
 * reduces to UCB over all arms. Exploration: log⁺(t/(K·n_i)) of MOSS (Audibert and Bubeck,
 * COLT 2009; anytime form, Degenne and Perchet, ICML 2016) instead of UCB's log t, so an arm
 * pulled its share t/K is judged by its mean alone. Measured here on synthetic tables of 5 arms
 * (log-normal noise σ = 0.15 and 0.4, 20 seeds, three tables incl. the relax bench's measured
 * per-arm times): total time over the best arm's 1.10–1.26× at T = 60 jobs and 1.02–1.06× at
 * T = 400, against 1.15–1.36× and 1.04–1.10× with log t. Untried arms go first, in the order given
 * (the backends' own rule first). An arm with a single pull, which has no variance of its own,
 * borrows the family's pooled relative variance times its mean² ({@link #pooledRelativeVariance}).
 *
 * <p>Normalisation: "Learning to Relax" (Khodak et al., ICLR 2024, §2) divides each cost by its
 * upper bound, the iteration cap m, so costs lie in [0, 1] and a job that did not converge costs
 * exactly 1 (the censored cost). Wall time has no cap, so the family's bound is the slowest arm's
 * mean time T (recomputed at each choice from the raw sums, so observations made under another
 * T stay exact): a solved job costs t/T, a job the arm failed (not SPD, no convergence) costs 1.
 * The index is invariant to T for solved jobs; T only sets what a failure weighs. An arm that
 * failed every time it was tried is dropped from the family's choices: failing is structural
 * (an indefinite or non-symmetric matrix), not noise.
 *
 * <p>Not thread-safe: {@link MethodTuner} synchronises on it.
 */
final class MethodBandit {
    /** Recent choices kept for {@code GET /v1/tuning}, as for ω. */
    static final int RECENT = 64;

    /** One arm's record: the wall times (ms) of the jobs it solved, and how many it failed. */
    record ArmRecord(ArmStats solved, long failures) {
        static final ArmRecord EMPTY = new ArmRecord(ArmStats.EMPTY, 0);

        long pulls() { return solved.pulls() + failures; }

        boolean hopeless() { return failures > 0 && solved.pulls() == 0; }
    }

    /** A choice: the arm's name, and whether it was exploration (not the current leader). */
    record Choice(MethodArm arm, boolean explored) { }

    private final Map<String, ArmRecord> arms = new LinkedHashMap<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private long jobs, explored, failures;

    /** The next arm among {@code fitting}, or null when every one of them has failed throughout. */
    Choice choose(List<MethodArm> fitting) {
        List<MethodArm> usable = new ArrayList<>();
        for (MethodArm a : fitting) if (!record(a).hopeless()) usable.add(a);
        if (usable.isEmpty()) return null;
        MethodArm lead = leader(usable);
        for (MethodArm a : usable) {
            if (record(a).pulls() == 0) return new Choice(a, lead != null);
        }
        double scale = scale();
        long total = 0;
        for (MethodArm a : usable) total += record(a).pulls();
        double leadMean = normalisedMean(record(lead), scale);
        double cv2 = pooledRelativeVariance();
        MethodArm best = null;
        double bestIndex = Double.POSITIVE_INFINITY;
        for (MethodArm a : usable) {
            ArmRecord r = record(a);
            double m = normalisedMean(r, scale);
            double var = r.pulls() < 2 ? cv2 * m * m : normalisedVariance(r, scale);
            // anytime MOSS's exploration log⁺(t / (K·n)) in place of UCB's log t (see the class comment)
            double lg = Math.max(0, Math.log((double) total / (usable.size() * r.pulls())));
            double ix = m - Math.sqrt(2 * var * lg / r.pulls()) - UnimodalBandit.RANGE_FACTOR * leadMean * lg / r.pulls();
            if (ix < bestIndex) { bestIndex = ix; best = a; }
        }
        return new Choice(best, !best.equals(lead));
    }

    /**
     * The family's relative variance of solve times, var/mean² pooled over the arms with two or
     * more solves (weights n − 1, as a pooled variance). Why: wall-time noise on a shared machine
     * is mostly multiplicative and common to all arms (load, frequency, caches), while an arm
     * with one pull has no variance of its own — its bound would be as tight as a certain arm's,
     * and one unlucky first solve (measured: a load spike on an arm 1.33× faster) shut it out
     * for good. An arm with one pull is given this times its mean² as its variance. (As a floor for
 * every arm it kept arms 15× slower than the leader in play: the leader's relative noise on a
 * 2 ms solve is far larger than a 30 ms solve's.)
     */
    double pooledRelativeVariance() {
        double num = 0, den = 0;
        for (ArmRecord r : arms.values()) {
            ArmStats s = r.solved();
            if (s.pulls() < 2 || !(s.mean() > 0)) continue;
            num += (s.pulls() - 1) * s.variance() / (s.mean() * s.mean());
            den += s.pulls() - 1;
        }
        return den == 0 ? 0 : num / den;
    }

    /** Records a job's outcome: its wall time when the arm solved it, else a failure. */
    void update(Choice c, boolean solved, double millis) {
        ArmRecord r = record(c.arm());
        arms.put(c.arm().name(), solved ? new ArmRecord(r.solved().plus(millis), r.failures())
                : new ArmRecord(r.solved(), r.failures() + 1));
        jobs++;
        if (c.explored()) explored++;
        if (!solved) failures++;
        recent.addLast(c.arm().name());
        if (recent.size() > RECENT) recent.removeFirst();
    }

    private ArmRecord record(MethodArm a) { return arms.getOrDefault(a.name(), ArmRecord.EMPTY); }

    /** The family's time bound T: the slowest arm's mean solve time (ms), NaN before any solve. */
    double scale() {
        double t = Double.NaN;
        for (ArmRecord r : arms.values()) {
            if (r.solved().pulls() > 0 && !(r.solved().mean() <= t)) t = r.solved().mean();
        }
        return t;
    }

    /** Mean cost in [0, 1]-ish units: solved jobs t/T, failed jobs 1. */
    static double normalisedMean(ArmRecord r, double scale) {
        if (r.pulls() == 0) return Double.NaN;
        double solved = r.solved().pulls() == 0 ? 0 : r.solved().sum() / scale;
        return (solved + r.failures()) / r.pulls();
    }

    static double normalisedVariance(ArmRecord r, double scale) {
        long n = r.pulls();
        if (n < 2) return 0;
        double m = normalisedMean(r, scale);
        double squares = (r.solved().pulls() == 0 ? 0 : r.solved().sumSquares() / (scale * scale)) + r.failures();
        return Math.max(0, (squares - n * m * m) / (n - 1));
    }

    /** The usable arm with the lowest normalised mean cost, null before any pull. */
    private MethodArm leader(List<MethodArm> usable) {
        double scale = scale();
        MethodArm best = null;
        double bestMean = Double.POSITIVE_INFINITY;
        for (MethodArm a : usable) {
            ArmRecord r = record(a);
            if (r.pulls() == 0) continue;
            double m = Double.isNaN(scale) ? 1 : normalisedMean(r, scale);
            if (best == null || m < bestMean) { best = a; bestMean = m; }
        }
        return best;
    }

    /** The arm with the lowest normalised mean among all this family tried, or null. */
    String leaderName() {
        double scale = scale();
        String best = null;
        double bestMean = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, ArmRecord> e : arms.entrySet()) {
            if (e.getValue().pulls() == 0 || e.getValue().hopeless()) continue;
            double m = normalisedMean(e.getValue(), scale);
            if (best == null || m < bestMean) { best = e.getKey(); bestMean = m; }
        }
        return best;
    }

    Map<String, ArmRecord> records() { return new LinkedHashMap<>(arms); }

    /**
     * Merges persisted records: per arm, the side with more pulls wins — the ω tuner's rule
     * ({@link FamilyTuning#merge}): idempotent and commutative, never counts a job twice.
     */
    void merge(Map<String, ArmRecord> other) {
        other.forEach((name, r) -> {
            if (r.pulls() > record(name).pulls()) arms.put(name, r);
        });
    }

    private ArmRecord record(String name) { return arms.getOrDefault(name, ArmRecord.EMPTY); }

    Map<String, Object> describe() {
        double scale = scale();
        long total = 0;
        for (ArmRecord r : arms.values()) total += r.pulls();
        List<Map<String, Object>> list = new ArrayList<>();
        String lead = leaderName();
        double leadMs = lead == null ? Double.NaN : normalisedMean(arms.get(lead), scale) * scale;
        double regret = 0;
        for (Map.Entry<String, ArmRecord> e : arms.entrySet()) {
            ArmRecord r = e.getValue();
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("arm", e.getKey());
            a.put("pulls", r.pulls());
            a.put("failures", r.failures());
            a.put("weight", total == 0 ? 0.0 : (double) r.pulls() / total);
            a.put("meanMs", r.solved().pulls() == 0 ? null : r.solved().mean());
            double nm = normalisedMean(r, scale);
            a.put("normalisedCost", Double.isFinite(nm) ? nm : null);
            list.add(a);
            if (Double.isFinite(nm) && Double.isFinite(leadMs)) regret += r.pulls() * (nm * scale - leadMs);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("algorithm", "empirical-Bernstein UCB over method x preconditioner, cost = wall time / family's slowest arm mean");
        m.put("arms", list);
        m.put("choice", lead);
        m.put("scaleMs", Double.isFinite(scale) ? scale : null);
        m.put("jobs", jobs);
        m.put("explored", explored);
        m.put("failures", failures);
        m.put("regretEstimateMs", regret);
        m.put("recentArms", List.copyOf(recent));
        return m;
    }
}
