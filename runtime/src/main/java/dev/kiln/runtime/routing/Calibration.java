package dev.kiln.runtime.routing;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Start-up calibration, as StarPU calibrates a performance model by running a few tasks of
 * growing size before trusting it: a few small linear, QUBO and train jobs ({@link
 * CalibrationJobs}) on every usable backend that supports them, learned by the {@link
 * CostModel} exactly as routed jobs are — at the features the backend itself reports for the
 * job, so they land in the same model. Without it a kind's models start empty, every backend is
 * first explored, and a burst arriving before any result is booked at unknown (0 ms) cost.
 * Skipped for a backend × kind whose model already has samples (loaded from {@code kiln.state});
 * skippable altogether ({@code kiln.routing.calibrate=false}). Runs on the caller's thread
 * before jobs are taken, so nothing competes with it.
 *
 * <p>Each backend × kind has its own wall-clock budget, so a slow emulator cannot hold up
 * start-up: the run under way when it ends is stopped through its deadline (not learned) and
 * the sizes left are skipped; the model learns the rest from traffic. A backend that throws ends
 * its own calibration for that kind only.
 */
public final class Calibration {
    private static final Logger LOG = LoggerFactory.getLogger(Calibration.class);
    /**
     * Most runs per size. The first run of a size is never learned (class loading, JIT, a kernel
     * build, buffers); the size is learned once a run is within {@link #SETTLED} of the run
     * before, or after the last, at the fastest of its runs after the first (other work on the
     * machine only ever adds time). Why not simply the second run, as before: with the machine loaded
     * (load average 12 on 2 cores) the JIT's compiler threads lag, and the CPU backend's QUBO
     * models learned the small sizes' second runs at 20× their warm time (bench jobs predicted
     * 20× too long, median, {@code ./kiln bench routing --case calibration}).
     */
    static final int MAX_RUNS = 5;
    /** Two consecutive runs of a size within this factor of each other: the code has settled. */
    static final double SETTLED = 1.5;
    /**
     * Fewest runs of a size before it may count as settled: the cold run and two more. With only
     * the cold run and one more, the first and second runs both ran before the JIT's compiled
     * code arrived and agreed with each other: the emulator's n = 128 size was learned at 19.7 ms
     * where a minute later it was learned at 3.8 ms, and its QUBO predictions for the bench's jobs
     * read 2.7–4.6× too long, median ({@code ./kiln bench routing --quick --case calibration},
     * 29 Nov 12:18–12:55, three runs).
     */
    static final int MIN_RUNS = 3;
    /**
     * Wall-clock budget per backend for linear jobs: the thermodynamic simulator takes minutes on
     * the larger Poisson sizes, the others under a second for all four (docs/ARCHITECTURE.md,
     * issue 8, "Calibration").
     */
    static final long LINEAR_BUDGET_NANOS = 3_000_000_000L;
    /**
     * Per backend for QUBO jobs, and below for train jobs. Measured here (29 Nov 11:13–11:43, load
     * average 5–19 on the 2 cores, {@code ./kiln bench routing --case calibration} and {@code ./kiln
     * demo}, all sizes unless cut): QUBO on cpu 0.1–1.5 s, opencl 0.1–0.8 s (4.7 s when PoCL builds
     * its kernels, once per machine), neuromorphic 0.2–2.7 s; train on cpu 0.1–0.7 s, thermodynamic
     * 1.4–6.2 s (its tngd step costs in proportion to batch × classes × parameters: 0.9 s a run at
     * 322 parameters). 2 s keeps the start short on a loaded machine; what it cuts is the largest
     * sizes on the slow emulators.
     */
    static final long QUBO_BUDGET_NANOS = 2_000_000_000L;
    static final long TRAIN_BUDGET_NANOS = 2_000_000_000L;

    private Calibration() { }

    /** The standard plans: linear, QUBO (one read per core) and train. */
    public static List<CalibrationPlan> standardPlans() {
        return List.of(new CalibrationPlan(JobKind.LINEAR, CalibrationJobs.linear(), LINEAR_BUDGET_NANOS),
                new CalibrationPlan(JobKind.QUBO, CalibrationJobs.qubo(Runtime.getRuntime().availableProcessors()), QUBO_BUDGET_NANOS),
                new CalibrationPlan(JobKind.TRAIN, CalibrationJobs.train(), TRAIN_BUDGET_NANOS));
    }

    /** Calibrates, with the standard plans, every usable backend × kind that has no samples yet; returns the runs learned. */
    public static int run(BackendRegistry backends, CostModel model) {
        return run(backends, model, standardPlans(), System::nanoTime);
    }

    /**
     * Calibrates every usable backend × plan kind whose model has no samples yet, on the clock
     * {@code nanoTime} (budgets and learned times); returns the runs learned.
     */
    public static int run(BackendRegistry backends, CostModel model, List<CalibrationPlan> plans, LongSupplier nanoTime) {
        int learned = 0;
        for (BackendHandle h : backends.all()) {
            if (!h.usable()) continue;
            for (CalibrationPlan plan : plans) {
                if (model.samples(h.id(), plan.kind()) > 0) continue;
                learned += calibrate(h.id(), h.backend(), plan, model, nanoTime);
            }
        }
        return learned;
    }

    /** One backend × kind; returns the runs learned. */
    private static int calibrate(String id, Backend backend, CalibrationPlan plan, CostModel model, LongSupplier nanoTime) {
        long t0 = nanoTime.getAsLong();
        long deadline = t0 + plan.budgetNanos();
        Cancellation budget = new Cancellation() {
            @Override public boolean cancelled() { return false; }
            @Override public boolean deadlinePassed() { return nanoTime.getAsLong() - deadline > 0; }
        };
        int n = 0;
        int tried = 0;
        String cutAt = null;
        for (CalibrationJobs.Sized s : plan.jobs()) {
            Job job = s.job();
            try {
                if (!backend.supports(job).supported()) continue;
                if (budget.deadlinePassed()) {
                    cutAt = s.size();
                    break;
                }
                tried++;
                Features f = backend.features(job);
                double previous = Double.NaN;
                double fastestMs = Double.POSITIVE_INFINITY;
                SolveOutcome fastest = null;
                for (int r = 0; r < MAX_RUNS; r++) {
                    if (budget.deadlinePassed()) {
                        cutAt = s.size();
                        break;
                    }
                    long start = nanoTime.getAsLong();
                    SolveOutcome out = backend.solve(job, ProgressSink.NONE, budget);
                    double ms = (nanoTime.getAsLong() - start) / 1e6;
                    if (!out.succeeded()) {
                        if (budget.deadlinePassed()) cutAt = s.size(); // stopped by the budget: not learned
                        break;
                    }
                    if (r > 0 && ms < fastestMs) {
                        fastestMs = ms;
                        fastest = out;
                    }
                    boolean settled = r >= MIN_RUNS - 1 && ms <= SETTLED * previous && previous <= SETTLED * ms;
                    if (settled || r == MAX_RUNS - 1) {
                        LOG.debug("calibration of '{}' for {} jobs, {}: {} ms learned after {} runs", id, plan.kind().wireName(), s.size(),
                                fastestMs, r + 1);
                        model.observe(id, plan.kind(), null, f, fastest.iterations(), fastestMs, fastest.energyJoules());
                        n++;
                        break;
                    }
                    previous = ms;
                }
                if (cutAt != null) break;
            } catch (Exception | LinkageError e) {
                LOG.warn("calibration of backend '{}' for {} jobs failed at {}: {}", id, plan.kind().wireName(), s.size(), e.toString());
                break;
            }
        }
        if (tried == 0) return 0; // the backend runs none of this kind's jobs
        long ms = (nanoTime.getAsLong() - t0) / 1_000_000;
        if (cutAt == null) {
            LOG.info("calibrated backend '{}' for {} jobs: {} runs learned in {} ms", id, plan.kind().wireName(), n, ms);
        } else {
            LOG.info("calibrated backend '{}' for {} jobs: {} runs learned in {} ms; budget of {} ms reached at {}, larger sizes left to traffic",
                    id, plan.kind().wireName(), n, ms, plan.budgetNanos() / 1_000_000, cutAt);
        }
        return n;
    }
}
