package dev.kiln.runtime;

import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.tuning.MethodTuner;
import dev.kiln.runtime.tuning.TunerChain;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method tuner through the runtime's seam: a family of {@code method: auto} jobs on a backend
 * that does not support one arm, fails another (NOT_SPD) and is 15× slower on all but one. The
 * unsupported arm is never offered, the failing one is answered by the backend's own rule and not
 * tried again, every result names its arm, and the family ends on the fast arm.
 */
class MethodChoiceThroughRuntimeTest {
    /** Sleep per solve: the fast arm's and every other arm's (a 15× gap, far above scheduling noise). */
    static final long FAST_MS = 2, SLOW_MS = 60; // 30× apart: a loaded CI machine stretches sleeps by milliseconds

    static Job job(String id) {
        LinearProblem p = LinearProblem.of(PoissonGenerator.poisson2d(4, 4), PoissonGenerator.ones(16), null);
        LinearOptions o = new LinearOptions(LinearMethod.AUTO, "auto", Double.NaN, 1e-8, 1000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, "fam", new double[0], p, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    @Test
    void aFamilyOfAutoJobsEndsOnTheFastestSupportedArm() throws Exception {
        List<String> offered = new ArrayList<>();
        FakeBackend b = new FakeBackend("fake")
                .supporting(j -> j.options().linear().preconditioner().equals("ic0")
                        ? Support.no(ErrorCode.UNSUPPORTED, "no ic0 here") : Support.YES)
                .byDefault((j, progress, c) -> {
                    LinearOptions o = j.options().linear();
                    String arm = o.method().wireName() + "+" + o.preconditioner();
                    synchronized (offered) { offered.add(arm); }
                    if (arm.equals("pcg+chebyshev")) {
                        return new SolveOutcome(arm, Map.of(), 2, 0.9, false, null, new JobError(ErrorCode.NOT_SPD, "scripted"), Double.NaN, Double.NaN);
                    }
                    try {
                        Thread.sleep(arm.equals("pcg+ssor") ? FAST_MS : SLOW_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return FakeBackend.converged(j);
                });
        KilnConfig config = KilnConfig.of(Map.of("kiln.workers", "1", "kiln.shutdown.grace-ms", "0"));
        try (KilnRuntime rt = new KilnRuntime(config, BackendRegistry.of(List.of(b), Map.of()), new ShortestQueueRouter())) {
            List<JobResult> results = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Submission s = rt.submit(job("j" + i));
                results.add(assertInstanceOf(Submission.Accepted.class, s).record().result().get(20, TimeUnit.SECONDS));
            }
            for (JobResult r : results) {
                assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
                assertTrue(r.parameters().containsKey("methodArm") && r.parameters().containsKey("methodExplored"), r.parameters().toString());
            }
            assertFalse(offered.contains("pcg+ic0"), "an arm the backend does not support was offered: " + offered);
            assertEquals(1, offered.stream().filter("pcg+chebyshev"::equals).count(), offered.toString());
            JobResult fellBack = results.stream().filter(r -> "pcg+chebyshev".equals(r.parameters().get("methodArm"))).findFirst().orElseThrow();
            assertEquals("pcg+chebyshev→fake-cg", fellBack.method()); // the untuned rerun ran method auto
            assertEquals("pcg+chebyshev", fellBack.parameters().get("methodFallbackFrom"));
            MethodTuner tuner = ((TunerChain) rt.tuner()).find(MethodTuner.class).orElseThrow();
            assertEquals("pcg+ssor", tuner.leader("fam").orElseThrow());
            long lastOnFast = results.subList(20, 30).stream().filter(r -> "pcg+ssor".equals(r.parameters().get("methodArm"))).count();
            assertTrue(lastOnFast >= 8, "last 10 jobs on the fast arm: " + lastOnFast);
            assertTrue(rt.tuner().describe("fam").orElseThrow().containsKey("methodChoice"));
        }
    }
}
