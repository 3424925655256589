package dev.kiln.runtime.routing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds exploration: after d decisions at most {@code burst + rate·d} of them may have
 * explored. The burst lets a cold start try each backend a few times; the rate caps what
 * exploring may cost in steady state (its regret is at most rate × the slowdown of a wrong
 * choice). A count alone lets one draw on the largest job cost more than a hundred draws on
 * small ones (measured here: one Thompson draw put a 130 ms job on the backend twice as slow,
 * a third of the run's regret; ./kiln bench routing --quick, trace), so sampled explorations
 * are also bounded in predicted time: their predicted extra time may reach at most
 * {@code rate} × the predicted time of all greedy choices, and happen only on jobs no larger than
 * the geometric mean of the greedy choices ({@link #smallEnough}). Thread-safe; a race may let one
 * extra exploration through, never an unbounded number.
 */
final class ExplorationBudget {
    private final double rate;
    private final long burst;
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong explored = new AtomicLong();
    private final java.util.concurrent.atomic.DoubleAdder greedyMs = new java.util.concurrent.atomic.DoubleAdder();
    private final java.util.concurrent.atomic.DoubleAdder extraMs = new java.util.concurrent.atomic.DoubleAdder();
    private final AtomicLong greedyCount = new AtomicLong();
    private final java.util.concurrent.atomic.DoubleAdder greedyLnMs = new java.util.concurrent.atomic.DoubleAdder();

    ExplorationBudget(double rate, long burst) {
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException("kiln.routing.explore-rate must be in [0, 1], was " + rate);
        if (burst < 0) throw new IllegalArgumentException("kiln.routing.explore-burst must be ≥ 0, was " + burst);
        this.rate = rate;
        this.burst = burst;
    }

    /** Counts one decision. */
    void decided() { decisions.incrementAndGet(); }

    /** Whether one more exploration stays within the bound. */
    boolean available() {
        return explored.get() + 1 <= burst + rate * decisions.get();
    }

    void spend() { explored.incrementAndGet(); }

    /** Counts the predicted time of one decision's greedy choice (ms; ignored unless finite and positive). */
    void greedy(double ms) {
        if (ms > 0 && Double.isFinite(ms)) {
            greedyMs.add(ms);
            greedyLnMs.add(Math.log(ms));
            greedyCount.incrementAndGet();
        }
    }

    /**
     * Whether a job whose greedy choice is predicted at {@code ms} is small enough to explore
     * on: at most the geometric mean of the greedy choices' predicted times so far. A sampled
     * draw costs what the drawn backend really takes, and a prediction can be off by a factor:
     * on a large job that factor cost 124 ms against a predicted 10 (measured here: ./kiln
     * bench routing --quick --case mixed --seed 7, trace: one draw a third of the warm jobs'
     * regret). The geometric, not the arithmetic mean: a cold start's first predictions are
     * wild (144 s for a job that took milliseconds), and they held the arithmetic mean at
     * 1.3 s over the first hundred jobs, so draws landed on the largest jobs again — one 3-D
     * job explored on the slower device was 15 of a run's 25 points (measured here: seed 2,
     * --quick, trace, job 111: greedy 50 ms, the mean 1 323 ms, the geometric mean 1.8 ms).
     * Explored on the jobs below it, what is learned still carries to larger ones through the
     * fits' slopes.
     */
    boolean smallEnough(double ms) {
        long n = greedyCount.get();
        return n > 0 && Math.log(ms) <= greedyLnMs.sum() / n + 1e-9; // equal sizes: the sum may round below n × ln ms
    }

    /** Whether a sampled exploration predicted to cost {@code extra} ms more than the greedy choice fits the time bound. */
    boolean affordable(double extra) {
        return extraMs.sum() + Math.max(0, extra) <= rate * greedyMs.sum();
    }

    /** Records a sampled exploration's predicted extra time. */
    void spendMs(double extra) {
        if (extra > 0 && Double.isFinite(extra)) extraMs.add(extra);
    }

    long decisions() { return decisions.get(); }

    long explored() { return explored.get(); }
}
