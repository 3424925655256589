package dev.kiln.spi.conformance;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit: every backend's test class extends this and supplies
 * {@link #createBackend()}. It checks, on generated reference problems, what the runtime
 * relies on: honest convergence reports (residuals are recomputed here from the returned
 * solution), clear refusals, cancellation and deadlines, safety under concurrent jobs, and a
 * truthful probe. A backend whose hardware is absent passes by skipping the solve tests with
 * the probe's reason.
 *
 * <p>Time limits below only guard against hangs; they are generous and assert no speed.
 */
public abstract class BackendConformanceKit {
    /** Hang guard for one solve; generous so slow emulators pass. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    protected Backend backend;
    protected Probe probe;

    /** A fresh, unconfigured instance of the backend under test. */
    protected abstract Backend createBackend();

    /** Configuration passed to {@link Backend#configure}. */
    protected Map<String, ?> config() { return Map.of(); }

    @BeforeEach
    void openBackend() {
        backend = createBackend();
        backend.configure(config());
        probe = backend.probe();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
        backend.close(); // close must be idempotent
    }

    private void assumeAvailable() {
        assumeTrue(probe.available(), () -> "backend " + backend.id() + " unavailable: " + probe.reason());
    }

    @Test
    void probeIsTruthful() {
        assertNotNull(probe, "probe() returned null");
        assertTrue(backend.id().matches("[a-z][a-z0-9-]{0,31}"), "id must be a short lowercase name: " + backend.id());
        if (probe.available()) {
            assertFalse(probe.device().isBlank(), "an available backend describes its device");
        } else {
            assertFalse(probe.reason().isBlank(), "an unavailable backend says why");
        }
    }

    @Test
    void solvesReferenceProblemsWithinTolerance() {
        assumeAvailable();
        List<Job> jobs = List.of(
                ReferenceJobs.linear("poisson2d", ReferenceJobs.poisson2d(24), 1e-8, 5000),
                ReferenceJobs.linear("poisson3d", ReferenceJobs.poisson3dShifted(8, 0.5), 1e-10, 5000),
                ReferenceJobs.linear("varcoef", ReferenceJobs.variableCoefficient2d(20), 1e-8, 5000));
        int ran = 0;
        for (Job job : jobs) {
            if (!backend.supports(job).supported()) continue;
            ran++;
            SolveOutcome out = solve(job, Cancellation.NONE);
            assertTrue(out.converged(), job.id() + " did not converge: " + out);
            assertEquals(null, out.error(), job.id() + " reported an error");
            assertTrue(out.iterations() > 0 && out.iterations() <= job.options().linear().maxIterations(),
                    job.id() + ": iterations " + out.iterations());
            assertHonestResidual(job, out);
            assertTrue(out.residualNorm() <= job.options().linear().tolerance(), job.id() + ": residual " + out.residualNorm());
        }
        // A backend that refuses linear jobs as a kind (UNSUPPORTED for all of them: a QUBO-only
        // emulator) skips the linear checks; one that runs linear jobs must run one of these.
        boolean linearKindRefused = jobs.stream().map(backend::supports).allMatch(x -> !x.supported() && x.code() == ErrorCode.UNSUPPORTED);
        assumeTrue(ran > 0 || !linearKindRefused, "backend " + backend.id() + " does not run linear jobs");
        assertTrue(ran > 0, "a backend must support at least one reference linear job with method auto");
    }

    @Test
    void reportsNonConvergenceHonestly() {
        assumeAvailable();
        Job job = ReferenceJobs.linear("budget", ReferenceJobs.poisson2d(32), 1e-12, 3);
        assumeTrue(backend.supports(job).supported());
        SolveOutcome out = solve(job, Cancellation.NONE);
        assertFalse(out.converged(), "3 iterations cannot reach 1e-12 on a 1024-unknown Poisson problem");
        assertTrue(out.iterations() <= 3, "iterations over budget: " + out.iterations());
        assertHonestResidual(job, out);
    }

    @Test
    void refusesWhatItDoesNotRunWithAReason() {
        // A train job: the kit's way to ask for something a linear backend does not run.
        Job linear = ReferenceJobs.linear("x", ReferenceJobs.poisson2d(4), 1e-8, 10);
        Job foreign = new Job("foreign", JobKind.TRAIN, null, null, linear.problem(), linear.options());
        Support s = backend.supports(foreign);
        assertFalse(s.supported(), "supports() said yes to a kind it cannot run");
        assertFalse(s.reason().isBlank(), "a refusal carries a reason");
        assertNotNull(s.code(), "a refusal carries an error code");
    }

    @Test
    void neverClaimsSuccessOnAnIndefiniteMatrixWithCg() {
        assumeAvailable();
        // diag(1, -1, 2, -3, ...): symmetric, indefinite.
        int n = 40;
        int[] rowPtr = new int[n + 1];
        int[] col = new int[n];
        double[] val = new double[n];
        for (int i = 0; i < n; i++) {
            rowPtr[i + 1] = i + 1;
            col[i] = i;
            val[i] = (i % 2 == 0 ? 1 : -1) * (1 + i);
        }
        Job job = ReferenceJobs.linear("indefinite", CsrMatrix.of(n, n, rowPtr, col, val), LinearMethod.CG, 1e-10, 1000);
        if (!backend.supports(job).supported()) return;
        SolveOutcome out = solve(job, Cancellation.NONE);
        if (out.error() == null && out.converged()) {
            assertHonestResidual(job, out);
            assertTrue(out.residualNorm() <= 1e-10);
        } else {
            assertNotNull(out.error() == null ? null : out.error().code());
        }
    }

    @Test
    void honoursCancellation() {
        assumeAvailable();
        Job job = longJob();
        assumeTrue(backend.supports(job).supported());
        AtomicBoolean cancel = new AtomicBoolean();
        AtomicInteger reports = new AtomicInteger();
        Cancellation c = new Cancellation() {
            @Override public boolean cancelled() { return cancel.get(); }
            @Override public boolean deadlinePassed() { return false; }
        };
        ProgressSink sink = (it, res) -> {
            if (reports.incrementAndGet() == 20) cancel.set(true);
        };
        SolveOutcome out = assertTimeoutPreemptively(HANG_GUARD, () -> backend.solve(job, sink, c));
        assertNotNull(out.error(), "a cancelled solve reports an error");
        assertEquals(ErrorCode.CANCELLED, out.error().code());
        assertFalse(out.converged());
    }

    @Test
    void honoursDeadline() {
        assumeAvailable();
        Job job = longJob();
        assumeTrue(backend.supports(job).supported());
        long deadline = System.nanoTime() + 50_000_000L;
        Cancellation c = new Cancellation() {
            @Override public boolean cancelled() { return false; }
            @Override public boolean deadlinePassed() { return System.nanoTime() > deadline; }
        };
        SolveOutcome out = assertTimeoutPreemptively(HANG_GUARD, () -> backend.solve(job, ProgressSink.NONE, c));
        assertNotNull(out.error());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, out.error().code());
    }

    @Test
    void isSafeUnderConcurrentJobs() throws Exception {
        assumeAvailable();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CsrMatrix a = i % 2 == 0 ? ReferenceJobs.poisson2d(12 + i) : ReferenceJobs.variableCoefficient2d(10 + i);
            jobs.add(ReferenceJobs.linear("concurrent-" + i, a, 1e-9, 5000));
        }
        jobs.removeIf(j -> !backend.supports(j).supported());
        assumeTrue(!jobs.isEmpty());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SolveOutcome>> futures = new ArrayList<>();
            for (Job j : jobs) futures.add(pool.submit(() -> backend.solve(j, ProgressSink.NONE, Cancellation.NONE)));
            for (int i = 0; i < jobs.size(); i++) {
                SolveOutcome out = futures.get(i).get(HANG_GUARD.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                assertTrue(out.converged(), jobs.get(i).id() + " failed under concurrency: " + out.error());
                assertHonestResidual(jobs.get(i), out);
                // b = A·1: the answer must be the ones vector (of this job, not a neighbour's).
                double[] x = out.solution();
                assertEquals(((LinearProblem) jobs.get(i).problem()).size(), x.length);
                for (double v : x) assertEquals(1.0, v, 1e-4, jobs.get(i).id() + ": solution is not this job's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reportsProgressDuringLongSolves() {
        assumeAvailable();
        Job job = ReferenceJobs.linear("progress", ReferenceJobs.poisson2d(48), 1e-10, 10_000);
        assumeTrue(backend.supports(job).supported());
        AtomicInteger maxIteration = new AtomicInteger();
        SolveOutcome out = assertTimeoutPreemptively(HANG_GUARD,
                () -> backend.solve(job, (it, res) -> maxIteration.accumulateAndGet(it, Math::max), Cancellation.NONE));
        assertTrue(out.converged());
        assertTrue(maxIteration.get() > 0, "no progress was reported over " + out.iterations() + " iterations");
    }

    /** A job that runs for seconds unless stopped: 250k unknowns to 1e-15. */
    private static Job longJob() {
        return ReferenceJobs.linear("long", ReferenceJobs.poisson2d(500), 1e-15, 10_000_000);
    }

    private SolveOutcome solve(Job job, Cancellation c) {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                return backend.solve(job, ProgressSink.NONE, c);
            } catch (BackendException e) {
                return fail("backend failed on a reference job: " + e);
            }
        });
    }

    private static void assertHonestResidual(Job job, SolveOutcome out) {
        LinearProblem p = (LinearProblem) job.problem();
        assertNotNull(out.solution(), job.id() + ": no solution returned");
        double truth = ReferenceJobs.trueRelativeResidual(p.a(), p.b(), out.solution());
        assertEquals(truth, out.residualNorm(), 1e-6 * Math.max(truth, 1e-300) + 1e-14,
                job.id() + ": reported residual " + out.residualNorm() + " but the solution's true residual is " + truth);
    }
}
