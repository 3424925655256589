package dev.kiln.runtime;

import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.Precision;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A test-only backend whose solve does what the test scripts per job id: answer at once,
 * block on a gate, spin until cancelled, throw. Records every job it was asked to solve.
 */
final class FakeBackend implements Backend {
    /** A scripted solve. */
    @FunctionalInterface
    interface Script {
        SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException;
    }

    /** Hang guard for every wait inside a fake solve: a broken runtime must not wedge a worker forever. */
    static final long GUARD_SECONDS = 20;

    private final String id;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<String> solved = new CopyOnWriteArrayList<>();
    private volatile Function<Job, Support> support = job -> Support.YES;
    private volatile Script fallback = (job, progress, c) -> converged(job);
    private volatile Probe probe;

    FakeBackend(String id) {
        this.id = id;
        this.probe = Probe.available("fake device " + id);
    }

    /** Makes the probe fail as a backend without its hardware does. */
    FakeBackend unavailable(String reason) {
        this.probe = Probe.unavailable(reason);
        return this;
    }

    /** Scripts the solve of the job with this id. */
    FakeBackend on(String jobId, Script script) {
        scripts.put(jobId, script);
        return this;
    }

    /** Scripts every job without its own script. */
    FakeBackend byDefault(Script script) {
        this.fallback = script;
        return this;
    }

    FakeBackend supporting(Function<Job, Support> s) {
        this.support = s;
        return this;
    }

    /** Ids of the jobs this backend was asked to solve, in order. */
    List<String> solved() { return solved; }

    @Override public String id() { return id; }

    @Override public Probe probe() { return probe; }

    @Override public Support supports(Job job) { return support.apply(job); }

    @Override
    public Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        return new Features(p.size(), p.a().nnz(), 1, 0, Precision.FP64);
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
        solved.add(job.id());
        return scripts.getOrDefault(job.id(), fallback).solve(job, progress, cancellation);
    }

    // ---- outcomes and scripts ---------------------------------------------------------------

    /** A converged solve: x = 1, 7 iterations, ω reported. */
    static SolveOutcome converged(Job job) {
        int n = ((LinearProblem) job.problem()).size();
        double[] x = new double[n];
        java.util.Arrays.fill(x, 1.0);
        return new SolveOutcome("fake-cg", Map.of("omega", 1.25), 7, 1e-10, true, x, null, Double.NaN, Double.NaN);
    }

    static SolveOutcome notConverged(Job job) {
        int n = ((LinearProblem) job.problem()).size();
        return new SolveOutcome("fake-cg", Map.of(), 50, 1e-3, false, new double[n], null, Double.NaN, Double.NaN);
    }

    static SolveOutcome cancelled(Job job, int iterations) {
        int n = ((LinearProblem) job.problem()).size();
        return new SolveOutcome("fake-cg", Map.of(), iterations, 0.5, false, new double[n],
                new JobError(ErrorCode.CANCELLED, "cancelled at iteration " + iterations), Double.NaN, Double.NaN);
    }

    /** Blocks until {@code release} opens (signalling {@code started} first), then converges. */
    static Script blockUntil(CountDownLatch started, CountDownLatch release) {
        return (job, progress, c) -> {
            started.countDown();
            try {
                if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("test never released the job");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return converged(job);
        };
    }

    /** A gate a test holds a job on: {@link #started} opens when the solve begins, {@link #open} lets it finish. */
    static final class Gate {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Script script() { return blockUntil(started, release); }

        void awaitStarted() throws InterruptedException {
            if (!started.await(GUARD_SECONDS, TimeUnit.SECONDS)) throw new AssertionError("the job never started");
        }

        void open() { release.countDown(); }
    }
}
