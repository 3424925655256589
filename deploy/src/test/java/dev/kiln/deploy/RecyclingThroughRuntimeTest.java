package dev.kiln.deploy;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.solvers.matrix.CsrMatrix;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Krylov recycling (issue 4) through the real runtime and the real CPU backend: a family of
 * slowly varying systems gets warm starts and a recycled subspace, every result meets the
 * tolerance, and the family needs fewer iterations than the same jobs without a family.
 */
class RecyclingThroughRuntimeTest {
    static final double TOL = 1e-8;

    static KilnRuntime runtime(Map<String, String> settings) {
        KilnConfig config = KilnConfig.of(settings);
        return new KilnRuntime(config, BackendRegistry.of(List.of(new CpuBackend()), config.asMap()), new ShortestQueueRouter());
    }

    static Job job(String id, String family, double c, CsrMatrix a, double[] b, LinearMethod method) {
        LinearOptions o = new LinearOptions(method, "auto", Double.NaN, TOL, 10_000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, family, new double[]{c}, LinearProblem.of(a, b, null), new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
    }

    static JobResult run(KilnRuntime rt, Job j) throws Exception {
        Submission s = rt.submit(j);
        return assertInstanceOf(Submission.Accepted.class, s).record().result().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aSlowlyVaryingFamilyIsRecycledAndEveryResultMeetsTheTolerance() throws Exception {
        int m = 32, jobs = 12;
        double[] b = new double[m * m];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < b.length; i++) b[i] = r.nextDouble(-1, 1);
        long cold = 0, recycled = 0;
        // a 4-vector subspace so that a 32² solve (≈ 80 iterations) fills the 12-residual window
        try (KilnRuntime rt = runtime(Map.of(KilnConfig.RECYCLING_VECTORS.name(), "4"))) {
            for (int j = 0; j < jobs; j++) {
                double c = 1e-3 * (1 + 0.1 * j);
                CsrMatrix a = PoissonGenerator.poisson2d(m, m, c);
                // pcg (Jacobi): a family's auto jobs would have the method tuner try preconditioners without a subspace
                JobResult plain = run(rt, job("cold-" + j, null, c, a, b, LinearMethod.PCG));
                JobResult fam = run(rt, job("fam-" + j, "sweep", c, a, b, LinearMethod.PCG));
                for (JobResult x : new JobResult[]{plain, fam}) {
                    assertEquals(JobStatus.SUCCEEDED, x.status(), String.valueOf(x.error()));
                    assertTrue(x.residualNorm() <= TOL, x.id() + ": " + x.residualNorm());
                }
                assertEquals(j > 0, fam.parameters().get("warmStart"), fam.parameters().toString());
                if (j > 0) assertEquals("fam-" + (j - 1), fam.parameters().get("warmStartFrom"));
                if (j > 1) assertEquals(4, fam.parameters().get("recycledVectors"), fam.parameters().toString());
                cold += plain.iterations();
                recycled += fam.iterations();
            }
            Map<String, Object> tuning = rt.tuner().describe("sweep").orElseThrow();
            assertEquals(4, tuning.get("recycledSubspaceSize"));
        }
        assertTrue(2 * recycled < cold, "recycled " + recycled + " vs cold " + cold + " iterations");
    }

    @Test
    void recyclingNeverReturnsAWorseResidualThanRequestedEvenWhenTheFamilyIsNotAFamily() throws Exception {
        // Same size, unrelated systems in one "family": coefficients that jump by orders of
        // magnitude, shifts of both signs' worth of conditioning, and right-hand sides that
        // share nothing — every recycled start and subspace is wrong for the next job.
        int m = 24;
        SplittableRandom r = new SplittableRandom(2);
        try (KilnRuntime rt = runtime(Map.of(KilnConfig.RECYCLING_VECTORS.name(), "4",
                KilnConfig.RECYCLING_DEFLATE_ITERATIONS.name(), "true"))) {
            for (int j = 0; j < 10; j++) {
                double contrast = Math.pow(10, r.nextInt(5));
                double shift = j % 3 == 0 ? 0 : Math.pow(10, -r.nextInt(4));
                CsrMatrix a = PoissonGenerator.poisson2d(m, m, shift, (x, y) -> x < 0.5 ? contrast : 1);
                double[] b = new double[m * m];
                for (int i = 0; i < b.length; i++) b[i] = r.nextDouble(-1, 1) * contrast;
                LinearMethod method = j % 2 == 0 ? LinearMethod.AUTO : LinearMethod.CG;
                JobResult x = run(rt, job("odd-" + j, "not-a-family", j, a, b, method));
                assertEquals(JobStatus.SUCCEEDED, x.status(), String.valueOf(x.error()));
                assertTrue(x.converged());
                assertTrue(x.residualNorm() <= TOL, "job " + j + ": " + x.residualNorm() + " " + x.parameters());
            }
        }
    }

    @Test
    void waitingJobsOfAFamilyAllFinishWhateverTheOrderTheyRunIn() throws Exception {
        int m = 24;
        double[] b = PoissonGenerator.ones(m * m);
        try (KilnRuntime rt = runtime(Map.of(KilnConfig.WORKERS.name(), "1"))) {
            List<CompletableFuture<JobResult>> all = new ArrayList<>();
            double[] cs = {0.5, 0.1, 0.4, 0.2, 0.3};
            for (int j = 0; j < cs.length; j++) {
                Submission s = rt.submit(job("w-" + j, "burst", cs[j], PoissonGenerator.poisson2d(m, m, cs[j]), b, LinearMethod.AUTO));
                all.add(assertInstanceOf(Submission.Accepted.class, s).record().result());
            }
            for (CompletableFuture<JobResult> f : all) {
                JobResult x = f.get(60, TimeUnit.SECONDS);
                assertEquals(JobStatus.SUCCEEDED, x.status(), String.valueOf(x.error()));
                assertTrue(x.residualNorm() <= TOL);
            }
            assertEquals(0, rt.queued("cpu"));
        }
    }
}
