package dev.kiln.runtime.tuning;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one family learned about which method × preconditioner solves its jobs fastest: a
 * cost-minimising bandit whose cost is the solve's wall time, learned as log time.
 *
 * <p>Cost: ln(t/T), t the job's wall time, T the family's bound (below). Why the log: on a
 * shared machine wall time is the solve's own time times a load factor ≥ 1 that is common to
 * all arms and heavy-tailed — measured in {@code ./kiln bench relax case=method-auto-aniso}
 * (load average 18 on 2 cores): solves of 2–5 ms took up to 285 ms now and then, and the mean
 * of the raw times followed the spikes, not the arms (the family settled on an arm 1.9× slower
 * than the best). The mean log time estimates the same ordering (log is monotone and the factor
 * multiplies every arm alike) with light tails: it ranks arms by geometric-mean time.
 *
 * <p>Normalisation: "Learning to Relax" (Khodak et al., ICLR 2024, §2) divides each cost by its
 * upper bound, the iteration cap m, so costs lie in [0, 1] and a job that did not converge costs
 * exactly 1, the censored cost. Wall time has no cap, so the family's bound T is its slowest
 * arm's geometric-mean time, recomputed at each choice from the raw sums (observations made
 * under another T stay exact): a solved job costs ln(t/T) (≤ 0 but for spikes), a job the arm
 * failed (not SPD, no convergence) costs ln 1 = 0, the cap. Solved jobs' index is invariant to
 * T; T sets what a failure weighs. An arm that failed every time it was tried is dropped from
 * the family's choices: failing is structural (an indefinite matrix), not noise.
 *
 * <p>Index: the empirical-Bernstein lower confidence bound of {@link UnimodalBandit} (Audibert,
 * Munos and Szepesvári, TCS 2009, Thm. 1), mean − √(2·var·ℓ/n) − {@link #RANGE}·ℓ/n, over every
 * arm that fits the job: the arms have no order, so every arm neighbours every other and OSUB
 * (Combes and Proutière, ICML 2014) reduces to UCB over all arms. Exploration ℓ = log⁺(t/(K·n))
 * of MOSS (Audibert and Bubeck, COLT 2009; anytime form, Degenne and Perchet, ICML 2016) instead
 * of UCB's log t, so an arm pulled its share t/K is judged by its mean alone. Untried arms go
 * first, in the order given (the backends' own rule first); then each arm once more, and that
 * second solve replaces the first: an arm's first solve in a process pays one-time costs — the
 * JIT compiling its preconditioner, a conversion cached by matrix fingerprint — measured in
 * {@code MethodChoiceOnCpuTest} inside the full suite: IC(0)'s first solve 176 ms where its later
 * ones take 1–4 ms, which shut the fastest arm out of the family for good. An arm with a single pull, which
 * has no variance of its own, borrows the family's pooled variance ({@link #pooledVariance}).
 *
 * <p>Not thread-safe: {@link MethodTuner} synchronises on it.
 */
final class MethodBandit {
    /** Recent choices kept for {@code GET /v1/tuning}, as for ω. */
    static final int RECENT = 64;

    /**
     * Weight of the range term, in log-time units. Measured here (replays of three 5-arm tables —
     * {@code MethodTunerTest}'s and two from {@code bench relax case=method-auto*} — 20 seeds,
     * noise log-normal σ = 0.15, σ = 0.4, or σ = 0.15 with a 10 % chance of a 2–50× load spike;
     * total time over the best arm's under the same noise): 0.1 gave 1.08 / 1.15 / 1.28× at
     * T = 60 jobs and 1.02 / 1.04 / 1.08× at T = 400; 0.3 (the ω bandit's factor) 1.12 / 1.18 /
     * 1.28× and 1.03 / 1.05 / 1.10×; 1.0 worse still; 0 and 0.03 within 0.01 of 0.1 but for
     * the spiky case at T = 400 (1.10×). (Measured with a one-pull opening; the two-pull one adds
     * 0.03–0.06 at T = 60 and 0.01–0.03 at T = 400.)
     */
    static final double RANGE = 0.1;

    /** Sums of ln(ms) over the jobs an arm solved: n, Σx, Σx². */
    record LogTimes(long n, double sum, double sumSquares) {
        static final LogTimes EMPTY = new LogTimes(0, 0, 0);

        LogTimes plus(double millis) {
            double x = Math.log(Math.max(millis, 1e-3)); // a µs floor: a zero reading would be −∞
            return new LogTimes(n + 1, sum + x, sumSquares + x * x);
        }

        double mean() { return n == 0 ? Double.NaN : sum / n; }

        double variance() {
            if (n < 2) return 0;
            double m = mean();
            return Math.max(0, (sumSquares - n * m * m) / (n - 1));
        }
    }

    /**
     * One arm's record: the log times of the jobs it solved, how many it failed, and whether its
     * first (warm-up) solve has been replaced by a second one.
     */
    record ArmRecord(LogTimes solved, long failures, boolean warm) {
        static final ArmRecord EMPTY = new ArmRecord(LogTimes.EMPTY, 0, false);

        long pulls() { return solved.n() + failures; }

        boolean hopeless() { return failures > 0 && solved.n() == 0; }
    }

    /** A choice: the arm, and whether it was exploration (not the current leader). */
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
        for (MethodArm a : usable) {
            if (!record(a).warm()) return new Choice(a, !a.equals(lead));
        }
        double lnT = logScale();
        long total = 0;
        for (MethodArm a : usable) total += record(a).pulls();
        double pooled = pooledVariance();
        MethodArm best = null;
        double bestIndex = Double.POSITIVE_INFINITY;
        for (MethodArm a : usable) {
            ArmRecord r = record(a);
            double m = normalisedMean(r, lnT);
            double var = r.pulls() < 2 ? pooled : normalisedVariance(r, lnT);
            double lg = Math.max(0, Math.log((double) total / (usable.size() * r.pulls())));
            double ix = m - Math.sqrt(2 * var * lg / r.pulls()) - RANGE * lg / r.pulls();
            if (ix < bestIndex) { bestIndex = ix; best = a; }
        }
        return new Choice(best, !best.equals(lead));
    }

    /** Records a job's outcome: its wall time when the arm solved it, else a failure. */
    void update(Choice c, boolean solved, double millis) {
        ArmRecord r = record(c.arm());
        ArmRecord next;
        if (!solved) next = new ArmRecord(r.solved(), r.failures() + 1, r.warm());
        else if (!r.warm() && r.solved().n() == 1) next = new ArmRecord(LogTimes.EMPTY.plus(millis), r.failures(), true); // replaces the warm-up
        else next = new ArmRecord(r.solved().plus(millis), r.failures(), r.warm() || r.solved().n() > 1);
        arms.put(c.arm().name(), next);
        jobs++;
        if (c.explored()) explored++;
        if (!solved) failures++;
        recent.addLast(c.arm().name());
        if (recent.size() > RECENT) recent.removeFirst();
    }

    private ArmRecord record(MethodArm a) { return record(a.name()); }

    private ArmRecord record(String name) { return arms.getOrDefault(name, ArmRecord.EMPTY); }

    /** ln T: the slowest arm's mean log time (ms), NaN before any solve. */
    double logScale() {
        double t = Double.NaN;
        for (ArmRecord r : arms.values()) {
            if (r.solved().n() > 0 && !(r.solved().mean() <= t)) t = r.solved().mean();
        }
        return t;
    }

    /** Mean cost: solved jobs ln(t/T), failed jobs 0 (the cap). */
    static double normalisedMean(ArmRecord r, double lnT) {
        if (r.pulls() == 0) return Double.NaN;
        LogTimes s = r.solved();
        return (s.n() == 0 ? 0 : s.sum() - s.n() * lnT) / r.pulls();
    }

    static double normalisedVariance(ArmRecord r, double lnT) {
        long n = r.pulls();
        if (n < 2) return 0;
        LogTimes s = r.solved();
        double m = normalisedMean(r, lnT);
        // Σ(x − lnT)² over solved jobs; failed jobs add 0² each
        double squares = s.n() == 0 ? 0 : s.sumSquares() - 2 * lnT * s.sum() + s.n() * lnT * lnT;
        return Math.max(0, (squares - n * m * m) / (n - 1));
    }

    /**
     * The family's variance of log solve times, pooled over the arms with two or more solves
     * (weights n − 1). Why: the noise of wall time on a shared machine is common to all arms,
     * while an arm with one pull has no variance of its own — its bound would be as tight as a
     * certain arm's, and one unlucky first solve (measured: a load spike on an arm 1.33× faster
     * than the leader) shut it out for good.
     */
    double pooledVariance() {
        double num = 0, den = 0;
        for (ArmRecord r : arms.values()) {
            LogTimes s = r.solved();
            if (s.n() < 2) continue;
            num += (s.n() - 1) * s.variance();
            den += s.n() - 1;
        }
        return den == 0 ? 0 : num / den;
    }

    /** The usable arm with the lowest mean cost, null before any pull. */
    private MethodArm leader(List<MethodArm> usable) {
        double lnT = logScale();
        MethodArm best = null;
        double bestMean = Double.POSITIVE_INFINITY;
        for (MethodArm a : usable) {
            ArmRecord r = record(a);
            if (r.pulls() == 0) continue;
            double m = Double.isNaN(lnT) ? 0 : normalisedMean(r, lnT);
            if (best == null || m < bestMean) { best = a; bestMean = m; }
        }
        return best;
    }

    /** The arm with the lowest mean cost among all this family tried (failed-only arms aside), or null. */
    String leaderName() {
        double lnT = logScale();
        String best = null;
        double bestMean = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, ArmRecord> e : arms.entrySet()) {
            if (e.getValue().pulls() == 0 || e.getValue().hopeless()) continue;
            double m = normalisedMean(e.getValue(), lnT);
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

    Map<String, Object> describe() {
        double lnT = logScale();
        long total = 0;
        for (ArmRecord r : arms.values()) total += r.pulls();
        List<Map<String, Object>> list = new ArrayList<>();
        String lead = leaderName();
        double leadMs = lead == null ? Double.NaN : Math.exp(arms.get(lead).solved().mean());
        double regret = 0;
        for (Map.Entry<String, ArmRecord> e : arms.entrySet()) {
            ArmRecord r = e.getValue();
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("arm", e.getKey());
            a.put("pulls", r.pulls());
            a.put("failures", r.failures());
            a.put("weight", total == 0 ? 0.0 : (double) r.pulls() / total);
            double geo = r.solved().n() == 0 ? Double.NaN : Math.exp(r.solved().mean());
            a.put("geoMeanMs", Double.isFinite(geo) ? geo : null);
            double nm = normalisedMean(r, lnT);
            a.put("normalisedCost", Double.isFinite(nm) ? nm : null);
            list.add(a);
            // failures are charged the bound T, as the cost charges them
            double ms = r.pulls() == 0 || !Double.isFinite(lnT) ? Double.NaN : Math.exp(nm + lnT);
            if (Double.isFinite(ms) && Double.isFinite(leadMs)) regret += r.pulls() * (ms - leadMs);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("algorithm", "empirical-Bernstein MOSS over method x preconditioner, cost = ln(wall time / family's slowest arm)");
        m.put("arms", list);
        m.put("choice", lead);
        m.put("boundMs", Double.isFinite(lnT) ? Math.exp(lnT) : null);
        m.put("jobs", jobs);
        m.put("explored", explored);
        m.put("failures", failures);
        m.put("regretEstimateMs", regret);
        m.put("recentArms", List.copyOf(recent));
        return m;
    }
}
