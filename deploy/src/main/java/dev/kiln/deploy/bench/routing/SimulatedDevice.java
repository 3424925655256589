package dev.kiln.deploy.bench.routing;

import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

/**
 * A synthetic device for the routing bench, built on a real backend: it solves with that
 * backend (so answers are real) and then waits {@code fixedMs + slowdown × solve time}, to
 * stand for hardware with a launch/transfer cost ({@code fixedMs}) or lower throughput
 * ({@code slowdown}). Two of them with crossing curves give the router a choice that matters
 * while only the CPU backend exists. Every kind passes through ({@code supports}, {@code features}
 * and {@code solve} are the base's): linear, QUBO and the train jobs the base runs (on the CPU
 * backend sgd, adam, ngd; not tngd, which no simulated device then runs). Not a product backend:
 * never registered with ServiceLoader.
 */
final class SimulatedDevice implements Backend {
    /** The last part of a wait spun rather than parked (see {@link #solve}). */
    private static final long SPIN_NS = 150_000;

    private final String id;
    private final Backend base;
    private final double fixedMs;
    private final double slowdown;

    SimulatedDevice(String id, Backend base, double fixedMs, double slowdown) {
        this.id = id;
        this.base = base;
        this.fixedMs = fixedMs;
        this.slowdown = slowdown;
    }

    @Override public String id() { return id; }
    @Override public Probe probe() { return Probe.available("simulated on " + base.id() + ": +" + fixedMs + " ms, +" + slowdown + "× solve"); }
    @Override public Support supports(Job job) { return base.supports(job); }
    @Override public Features features(Job job) { return base.features(job); }
    @Override public int defaultConcurrency() { return 1; }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
        long t0 = System.nanoTime();
        SolveOutcome out = base.solve(job, progress, cancellation);
        double solveMs = (System.nanoTime() - t0) / 1e6;
        long waitNs = (long) ((fixedMs + slowdown * solveMs) * 1e6);
        long end = System.nanoTime() + waitNs;
        // Park until just before the deadline, then spin the rest: a park wakes ~65 µs late at
        // the median and ms late in the tail on a busy machine, which made sim-half's sub-ms
        // jobs look 2.5× slower to the models than to the oracle. Measured here (a throwaway
        // loop of 200 waits each of 0.2, 0.5, 1 and 3 ms, System.nanoTime before and after, load
        // average 13 on the 2 cores): parking alone overshot p50 60-79 µs, p90
        // 69-137 µs; parking to 150 µs before and spinning overshot p50 0, p90 0 µs. The tail
        // (a preempted thread) stays: no user-space wait removes it.
        long spinFrom = end - SPIN_NS;
        for (long left = spinFrom - System.nanoTime(); left > 0 && !Thread.currentThread().isInterrupted(); left = spinFrom - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) Thread.onSpinWait();
        return out;
    }
}
