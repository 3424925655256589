package dev.kiln.runtime.routing;

import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import dev.kiln.spi.TrainOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Calibration} on scripted backends with a scripted clock: each solve advances the clock
 * by the backend's cost of the job ({@link Scripted#msPerWork} × the work of the features it
 * reports, 100× that on the first run of a job), so budgets and learned times are exact and no
 * test depends on this machine's speed.
 */
class CalibrationTest {

    /** The scripted clock, in ns. */
    private static final class Clock {
        long now;
    }

    /** A backend running the jobs {@code runs} accepts, at {@code msPerWork} ms per unit of its own work. */
    private static class Scripted implements Backend {
        final String id;
        final Predicate<Job> runs;
        final double msPerWork;
        final Clock clock;
        final Map<JobKind, Integer> solves = new EnumMap<>(JobKind.class);
        final Set<String> seen = new java.util.HashSet<>();

        Scripted(String id, Predicate<Job> runs, double msPerWork, Clock clock) {
            this.id = id;
            this.runs = runs;
            this.msPerWork = msPerWork;
            this.clock = clock;
        }

        @Override public String id() { return id; }
        @Override public Probe probe() { return Probe.available("scripted"); }
        @Override public Support supports(Job job) {
            return runs.test(job) ? Support.YES : Support.no(ErrorCode.UNSUPPORTED, id + " does not run " + job.id());
        }

        /** Features no other backend would report (n scaled by 7, 3 iterations), so a model learned at others' would be off. */
        @Override public Features features(Job job) {
            long n = 7L * job.problem().size();
            return new Features(n, 2 * n, 3, 0, Precision.FP64);
        }

        double ms(Job job) {
            Features f = features(job);
            return msPerWork * (f.n() + f.nnz()) * f.estimatedIterations();
        }

        @Override public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
            solves.merge(job.kind(), 1, Integer::sum);
            double ms = ms(job) * (seen.add(job.id()) ? 100 : 1); // the first run of a job is cold
            long end = clock.now + (long) (ms * 1e6);
            // Stops at the deadline as the real backends do: the clock only reaches just past it.
            while (clock.now < end) {
                clock.now = Math.min(end, clock.now + 1_000_000);
                if (cancellation.deadlinePassed()) {
                    return new SolveOutcome("scripted", Map.of(), 3, Double.NaN, false, null,
                            new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline"), Double.NaN, Double.NaN);
                }
            }
            return new SolveOutcome("scripted", Map.of(), 3, 0, true, null, null, Double.NaN, Double.NaN);
        }

        int solves(JobKind kind) { return solves.getOrDefault(kind, 0); }
    }

    private static final Predicate<Job> EVERY_JOB = j -> true;
    private static final Predicate<Job> QUBO_ONLY = j -> j.kind() == JobKind.QUBO;
    private static final Predicate<Job> TNGD_ONLY = j -> j.kind() == JobKind.TRAIN
            && j.options().kind(TrainOptions.class).optimizer().thermodynamic();
    private static final Predicate<Job> DIGITAL_TRAIN_AND_QUBO = j -> j.kind() == JobKind.QUBO
            || j.kind() == JobKind.TRAIN && !j.options().kind(TrainOptions.class).optimizer().thermodynamic();

    private static int run(CostModel model, Clock clock, Backend... backends) {
        return Calibration.run(BackendRegistry.of(List.of(backends), Map.of()), model, Calibration.standardPlans(), () -> clock.now);
    }

    @Test
    void observesQuboAndTrainSamplesOnBackendsThatRunThemAndNoneElsewhere() {
        Clock clock = new Clock();
        Scripted all = new Scripted("all", EVERY_JOB, 1e-6, clock);
        Scripted qubo = new Scripted("qubo", QUBO_ONLY, 1e-6, clock);
        Scripted thermo = new Scripted("thermo", TNGD_ONLY, 1e-6, clock);
        Scripted digital = new Scripted("digital", DIGITAL_TRAIN_AND_QUBO, 1e-6, clock);
        CostModel model = new CostModel();
        int learned = run(model, clock, all, qubo, thermo, digital);

        int sides = CalibrationJobs.LINEAR_SIDES.length;
        int quboSizes = CalibrationJobs.QUBO_SIZES.length;
        int shapes = CalibrationJobs.TRAIN_SHAPES.length;
        // One learned run per size (the first, cold, is not learned): 4 optimizers per train shape.
        assertEquals(sides, model.samples("all", JobKind.LINEAR));
        assertEquals(quboSizes, model.samples("all", JobKind.QUBO));
        assertEquals(4 * shapes, model.samples("all", JobKind.TRAIN));
        assertEquals(quboSizes, model.samples("qubo", JobKind.QUBO));
        assertEquals(0, model.samples("qubo", JobKind.LINEAR));
        assertEquals(0, model.samples("qubo", JobKind.TRAIN));
        assertEquals(shapes, model.samples("thermo", JobKind.TRAIN));
        assertEquals(0, model.samples("thermo", JobKind.QUBO));
        assertEquals(3 * shapes, model.samples("digital", JobKind.TRAIN));
        assertEquals(quboSizes, model.samples("digital", JobKind.QUBO));
        assertEquals(0, model.samples("digital", JobKind.LINEAR));
        assertEquals(sides + quboSizes + 4 * shapes + quboSizes + shapes + 3 * shapes + quboSizes, learned);
        // Three runs of each supported job (cold, warm, settled), none of the others.
        assertEquals(3 * quboSizes, qubo.solves(JobKind.QUBO));
        assertEquals(0, qubo.solves(JobKind.TRAIN) + qubo.solves(JobKind.LINEAR));
        assertEquals(3 * shapes, thermo.solves(JobKind.TRAIN));
    }

    @Test
    void learnsAtTheBackendsOwnFeaturesAndNotTheColdRun() {
        Clock clock = new Clock();
        Scripted a = new Scripted("a", EVERY_JOB, 2e-6, clock);
        CostModel model = new CostModel();
        run(model, clock, a);
        // Every calibration job predicted at a's own features as a's warm time: the model learned
        // those features and the second runs (a cold first run is 100× and would show).
        for (CalibrationPlan plan : Calibration.standardPlans()) {
            for (CalibrationJobs.Sized s : plan.jobs()) {
                Prediction p = model.predict("a", plan.kind(), null, a.features(s.job()));
                double ratio = p.ms() / a.ms(s.job());
                assertTrue(ratio > 0.8 && ratio < 1.25, plan.kind() + " " + s.size() + ": predicted " + p.ms() + " ms, warm run " + a.ms(s.job()));
            }
        }
    }

    @Test
    void twoSlowRunsThatAgreeBeforeTheCompiledCodeArrivesAreNotTakenForSettled() {
        // Each job: the cold run and the second both at 10x, agreeing (both before the JIT's
        // compiled code), then warm runs. Taken as settled at the second run, the size would be
        // learned at 10x; the third run must be waited for.
        Clock clock = new Clock();
        Map<String, Integer> runsOf = new java.util.HashMap<>();
        Scripted late = new Scripted("late", EVERY_JOB, 2e-6, clock) {
            @Override public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
                int r = runsOf.merge(job.id(), 1, Integer::sum);
                double factor = r <= 2 ? 10 : 1;
                clock.now += (long) (ms(job) * factor * 1e6);
                return new SolveOutcome("scripted", Map.of(), 3, 0, true, null, null, Double.NaN, Double.NaN);
            }
        };
        CostModel model = new CostModel();
        run(model, clock, late);
        for (CalibrationJobs.Sized s : CalibrationJobs.qubo(2)) {
            Prediction p = model.predict("late", JobKind.QUBO, null, late.features(s.job()));
            double ratio = p.ms() / late.ms(s.job());
            assertTrue(ratio > 0.8 && ratio < 1.25, s.size() + ": predicted " + p.ms() + " ms, warm run " + late.ms(s.job()));
        }
    }

    @Test
    void skipsABackendAndKindThatAlreadyHasSamples() {
        Clock clock = new Clock();
        Scripted restored = new Scripted("restored", EVERY_JOB, 1e-6, clock);
        Scripted fresh = new Scripted("fresh", EVERY_JOB, 1e-6, clock);
        CostModel model = new CostModel();
        // As if loaded from kiln.state: one QUBO sample on "restored".
        model.observe("restored", JobKind.QUBO, new Features(100, 300, 50, 0, Precision.FP64), 4.0, Double.NaN);
        run(model, clock, restored, fresh);
        assertEquals(0, restored.solves(JobKind.QUBO));
        assertEquals(1, model.samples("restored", JobKind.QUBO));
        assertTrue(restored.solves(JobKind.TRAIN) > 0 && restored.solves(JobKind.LINEAR) > 0, "the other kinds are calibrated");
        assertEquals(3 * CalibrationJobs.QUBO_SIZES.length, fresh.solves(JobKind.QUBO));

        // A second start with every model learned runs nothing.
        Scripted again = new Scripted("fresh", EVERY_JOB, 1e-6, clock);
        assertEquals(0, run(model, clock, again));
        assertEquals(0, again.solves(JobKind.LINEAR) + again.solves(JobKind.QUBO) + again.solves(JobKind.TRAIN));
    }

    @Test
    void aSlowBackendStopsAtItsBudgetPerKind() {
        Clock clock = new Clock();
        // 1 ms per unit of work: every calibration job takes seconds, its cold run minutes.
        Scripted slow = new Scripted("slow", EVERY_JOB, 1.0, clock);
        CostModel model = new CostModel();
        List<long[]> spans = new ArrayList<>();
        for (CalibrationPlan plan : Calibration.standardPlans()) {
            long t0 = clock.now;
            Calibration.run(BackendRegistry.of(List.of(slow), Map.of()), model, List.of(plan), () -> clock.now);
            spans.add(new long[] {clock.now - t0, plan.budgetNanos()});
            // The cold first run is stopped at the deadline: nothing learned, nothing more run.
            assertEquals(0, model.samples("slow", plan.kind()), plan.kind().wireName());
            assertEquals(1, slow.solves(plan.kind()), plan.kind().wireName());
        }
        for (long[] s : spans) assertTrue(s[0] <= s[1] + 1_000_000, "ran " + s[0] + " ns over a budget of " + s[1]);
    }

    @Test
    void aBudgetCutsTheLargestSizesAndKeepsTheRunsBeforeIt() {
        Clock clock = new Clock();
        Scripted a = new Scripted("a", QUBO_ONLY, 1e-6, clock);
        List<CalibrationJobs.Sized> jobs = CalibrationJobs.qubo(2);
        // Budget: the two smallest sizes' runs (cold 100×, warm, settled) and half of the third's cold run.
        double ms = 0;
        for (int i = 0; i < 2; i++) ms += 102 * a.ms(jobs.get(i).job());
        ms += 50 * a.ms(jobs.get(2).job());
        CalibrationPlan plan = new CalibrationPlan(JobKind.QUBO, jobs, (long) (ms * 1e6));
        CostModel model = new CostModel();
        assertEquals(2, Calibration.run(BackendRegistry.of(List.of(a), Map.of()), model, List.of(plan), () -> clock.now));
        assertEquals(7, a.solves(JobKind.QUBO)); // 3 + 3 (cold, warm, settled) + the stopped cold run of the third
    }

    @Test
    void aFailingBackendDoesNotStopTheOthersNorItsOtherKinds() {
        Clock clock = new Clock();
        Scripted broken = new Scripted("broken", EVERY_JOB, 1e-6, clock) {
            @Override public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
                if (job.kind() == JobKind.QUBO) {
                    solves.merge(job.kind(), 1, Integer::sum);
                    throw new BackendException.Retriable("device lost", null);
                }
                return super.solve(job, progress, cancellation);
            }
        };
        Scripted throwsInFeatures = new Scripted("features", EVERY_JOB, 1e-6, clock) {
            @Override public Features features(Job job) {
                if (job.kind() == JobKind.TRAIN) throw new IllegalStateException("no features");
                return super.features(job);
            }
        };
        Scripted healthy = new Scripted("healthy", EVERY_JOB, 1e-6, clock);
        CostModel model = new CostModel();
        run(model, clock, broken, throwsInFeatures, healthy);
        assertEquals(1, broken.solves(JobKind.QUBO), "a backend that throws is not asked again for that kind");
        assertEquals(0, model.samples("broken", JobKind.QUBO));
        assertEquals(4 * CalibrationJobs.TRAIN_SHAPES.length, model.samples("broken", JobKind.TRAIN));
        assertEquals(CalibrationJobs.LINEAR_SIDES.length, model.samples("broken", JobKind.LINEAR));
        assertEquals(0, model.samples("features", JobKind.TRAIN));
        assertEquals(CalibrationJobs.QUBO_SIZES.length, model.samples("features", JobKind.QUBO));
        assertEquals(CalibrationJobs.QUBO_SIZES.length, model.samples("healthy", JobKind.QUBO));
        assertEquals(4 * CalibrationJobs.TRAIN_SHAPES.length, model.samples("healthy", JobKind.TRAIN));
    }

    @Test
    void plansRejectJobsOfAnotherKindAndNoBudget() {
        List<CalibrationJobs.Sized> qubo = CalibrationJobs.qubo(1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CalibrationPlan(JobKind.TRAIN, qubo, 1));
        assertTrue(e.getMessage().contains("is not a train job"), e.getMessage());
        var b = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CalibrationPlan(JobKind.QUBO, qubo, 0));
        assertTrue(b.getMessage().contains("budget must be > 0"), b.getMessage());
    }
}
