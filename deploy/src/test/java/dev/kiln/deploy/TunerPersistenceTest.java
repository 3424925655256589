package dev.kiln.deploy;

import dev.kiln.runtime.Submission;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ω tuner's learned state survives a restart through the compacted kiln.state topic of a
 * real (embedded) broker: the second Kiln serves the same arms as the first learned — also the
 * contextual bandit's samples and the method tuner's arms.
 */
class TunerPersistenceTest {
    @TempDir
    Path data;

    private KilnConfig config() {
        return KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000",
                KilnConfig.ROUTING_CALIBRATE.name(), "false",
                KilnConfig.ROUTING_PERSIST_INTERVAL_MS.name(), "200"));
    }

    private static Job sorJob(String id) {
        LinearProblem p = LinearProblem.of(PoissonGenerator.poisson2d(8, 8), PoissonGenerator.ones(64), null);
        LinearOptions o = new LinearOptions(LinearMethod.SOR, "auto", Double.NaN, 1e-8, 10_000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, "persist-me", new double[0], p, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    private static Job contextualSorJob(String id, double shift) {
        LinearProblem p = LinearProblem.of(PoissonGenerator.poisson2d(8, 8, shift), PoissonGenerator.ones(64), null);
        LinearOptions o = new LinearOptions(LinearMethod.SOR, "auto", Double.NaN, 1e-8, 10_000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, "persist-ctx", new double[]{shift}, p, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    private static Job autoJob(String id) {
        LinearProblem p = LinearProblem.of(PoissonGenerator.poisson2d(8, 8), PoissonGenerator.ones(64), null);
        LinearOptions o = new LinearOptions(LinearMethod.AUTO, "auto", Double.NaN, 1e-8, 10_000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, "persist-method", new double[0], p, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    @Test
    void learnedOmegaStatisticsAreRestoredFromKilnStateAfterARestart() throws Exception {
        String before, contextual, method;
        try (KilnService first = KilnService.start(config())) {
            for (int i = 0; i < 12; i++) {
                Submission s = first.runtime().submit(sorJob("j" + i));
                JobResult r = assertInstanceOf(Submission.Accepted.class, s).record().result().get(60, TimeUnit.SECONDS);
                assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
                assertTrue(r.parameters().containsKey("omega"));
            }
            // the contextual bandit's samples and the method tuner's arms (one restart for all: a broker start costs seconds)
            for (int i = 0; i < 8; i++) {
                for (Job j : new Job[]{contextualSorJob("c" + i, 0.05 * i), autoJob("m" + i)}) {
                    Submission s = first.runtime().submit(j);
                    JobResult r = assertInstanceOf(Submission.Accepted.class, s).record().result().get(60, TimeUnit.SECONDS);
                    assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
                }
            }
            before = first.runtime().tuner().snapshot().get("tuner/persist-me/sor");
            assertTrue(before != null && before.contains("\"pulls\""), before);
            contextual = first.runtime().tuner().snapshot().get("tuner/persist-ctx/sor");
            method = first.runtime().tuner().snapshot().get("tuner/persist-method/method");
            assertTrue(contextual != null && contextual.contains("\"samples\""), contextual);
            assertTrue(method != null && method.contains("pcg+jacobi"), method);
        } // close publishes the last snapshot
        try (KilnService second = KilnService.start(config())) {
            assertEquals(before, second.runtime().tuner().snapshot().get("tuner/persist-me/sor"));
            assertTrue(second.runtime().tuner().describe("persist-me").isPresent());
            assertEquals(contextual, second.runtime().tuner().snapshot().get("tuner/persist-ctx/sor"));
            assertEquals(method, second.runtime().tuner().snapshot().get("tuner/persist-method/method"));
            assertTrue(second.runtime().tuner().describe("persist-method").orElseThrow().containsKey("methodChoice"));
        }
    }
}
