package dev.kiln.runtime.routing;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up calibration, as StarPU calibrates a performance model by running a few tasks of
 * growing size before trusting it: a few small linear solves on every usable backend that
 * supports them, learned by the {@link CostModel} exactly as routed jobs are. Skipped for a
 * backend × kind whose model already has samples (loaded from {@code kiln.state}); skippable
 * altogether ({@code kiln.routing.calibrate=false}). Runs on the caller's thread before jobs
 * are taken, so nothing competes with it.
 *
 * <p>Only linear jobs are calibrated: QUBO and train jobs have no backend in this build; their
 * models are learned from the first routed jobs (the router tries each backend first).
 */
public final class Calibration {
    private static final Logger LOG = LoggerFactory.getLogger(Calibration.class);
    /**
     * Grid sides of the 2-D Poisson calibration problems: n = 64 … 4 096 unknowns, each well
     * under a second on any backend, and spanning a factor 64 in size so the fit's slope is
     * determined (three sizes for its three parameters; the bytes-to-move feature varies with
     * n on device backends).
     */
    static final int[] SIDES = {8, 16, 32, 64};
    /** Runs per size: the first run of a size pays class loading and JIT, so it is not learned. */
    static final int RUNS = 2;
    /**
     * Wall-clock budget per backend: a slow emulator (the thermodynamic simulator takes
     * minutes on the larger sizes) must not hold up start-up. Runs past it are stopped through
     * their deadline, and the sizes left are skipped; the model learns the rest from traffic.
     */
    static final long BUDGET_NANOS = 3_000_000_000L;

    private Calibration() { }

    /** Calibrates every usable backend's linear model that has no samples yet; returns the runs learned. */
    public static int run(BackendRegistry backends, CostModel model) {
        int learned = 0;
        for (BackendHandle h : backends.all()) {
            if (!h.usable() || model.samples(h.id(), JobKind.LINEAR) > 0) continue;
            long t0 = System.nanoTime();
            long deadline = t0 + BUDGET_NANOS;
            Cancellation budget = new Cancellation() {
                @Override public boolean cancelled() { return false; }
                @Override public boolean deadlinePassed() { return System.nanoTime() - deadline > 0; }
            };
            int n = 0;
            for (int side : SIDES) {
                if (budget.deadlinePassed()) break;
                Job job = linearJob("calibration-" + h.id() + "-" + side, side);
                try {
                    if (!h.backend().supports(job).supported()) continue;
                    Features f = h.backend().features(job);
                    for (int r = 0; r < RUNS; r++) {
                        long s = System.nanoTime();
                        if (budget.deadlinePassed()) break;
                        SolveOutcome out = h.backend().solve(job, ProgressSink.NONE, budget);
                        double ms = (System.nanoTime() - s) / 1e6;
                        if (r > 0 && out.succeeded()) {
                            model.observe(h.id(), JobKind.LINEAR, null, f, out.iterations(), ms, out.energyJoules());
                            n++;
                        }
                    }
                } catch (Exception | LinkageError e) {
                    LOG.warn("calibration of backend '{}' failed at {}x{}: {}", h.id(), side, side, e.toString());
                    break;
                }
            }
            LOG.info("calibrated backend '{}' for linear jobs: {} runs learned in {} ms", h.id(), n,
                    (System.nanoTime() - t0) / 1_000_000);
            learned += n;
        }
        return learned;
    }

    static Job linearJob(String id, int side) {
        CsrMatrix a = PoissonGenerator.poisson2d(side, side);
        LinearProblem p = LinearProblem.of(a, PoissonGenerator.ones(a.rows()), null);
        return new Job(id, JobKind.LINEAR, null, null, p,
                new JobOptions(JobOptions.AUTO, Objective.LATENCY, 0, 1, LinearOptions.defaults()));
    }

}
