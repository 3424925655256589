package dev.kiln.runtime.routing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds exploration: after d decisions at most {@code burst + rate·d} of them may have
 * explored. The burst lets a cold start try each backend a few times; the rate caps what
 * exploring may cost in steady state (its regret is at most rate × the slowdown of a wrong
 * choice). Thread-safe; a race may let one extra exploration through, never an unbounded number.
 */
final class ExplorationBudget {
    private final double rate;
    private final long burst;
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong explored = new AtomicLong();

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

    long decisions() { return decisions.get(); }

    long explored() { return explored.get(); }
}
