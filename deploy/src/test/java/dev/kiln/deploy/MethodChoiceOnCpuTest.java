package dev.kiln.deploy;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.tuning.MethodTuner;
import dev.kiln.runtime.tuning.TunerChain;
import dev.kiln.solvers.matrix.CsrMatrix;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method tuner on the real CPU backend: a family of {@code method: auto} jobs on the 1D
 * Laplacian tridiag(−1, 2, −1), where IC(0) is the exact Cholesky factor (a tridiagonal matrix has
 * no fill), so PCG with IC(0) takes one or two iterations while CG, Jacobi (a constant diagonal:
 * the same as none) and Chebyshev need hundreds to thousands (κ ≈ 4n²/π²). The gap is two orders
 * of magnitude in time, so the family must end on {@code pcg+ic0} however loaded the machine is;
 * every result meets the tolerance whichever arm ran. (No wait for the kernel warm-up: arms run
 * while it is still compiling look slower, which a 100× gap absorbs.)
 */
class MethodChoiceOnCpuTest {
    static final int N = 1000;
    static final double TOL = 1e-8;

    static CsrMatrix laplacian1d(int n) {
        int[] rowPtr = new int[n + 1];
        int[] col = new int[3 * n - 2];
        double[] val = new double[3 * n - 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) { col[k] = i - 1; val[k++] = -1; }
            col[k] = i; val[k++] = 2;
            if (i < n - 1) { col[k] = i + 1; val[k++] = -1; }
            rowPtr[i + 1] = k;
        }
        return CsrMatrix.of(n, n, rowPtr, col, val);
    }

    @Test
    void aFamilyOfAutoJobsOnTheCpuEndsOnTheFastestArm() throws Exception {
        CsrMatrix a = laplacian1d(N);
        SplittableRandom rnd = new SplittableRandom(3);
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.WORKERS.name(), "1", KilnConfig.RECYCLING_HISTORY.name(), "0"));
        try (KilnRuntime rt = new KilnRuntime(config, BackendRegistry.of(List.of(new CpuBackend()), config.asMap()), new ShortestQueueRouter())) {
            List<JobResult> results = new ArrayList<>();
            for (int j = 0; j < 24; j++) {
                double[] b = new double[N];
                for (int i = 0; i < N; i++) b[i] = rnd.nextDouble(-1, 1);
                LinearOptions o = new LinearOptions(LinearMethod.AUTO, "auto", Double.NaN, TOL, 20_000, Precision.FP64, false);
                Job job = new Job("j" + j, JobKind.LINEAR, "rods", new double[0], LinearProblem.of(a, b, null),
                        new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
                Submission s = rt.submit(job);
                JobResult r = assertInstanceOf(Submission.Accepted.class, s).record().result().get(60, TimeUnit.SECONDS);
                assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
                assertTrue(r.residualNorm() <= TOL, r.residualNorm() + " " + r.method());
                assertTrue(r.parameters().get("methodArm") instanceof String && r.parameters().get("methodExplored") instanceof Boolean,
                        r.parameters().toString());
                results.add(r);
            }
            MethodTuner tuner = ((TunerChain) rt.tuner()).find(MethodTuner.class).orElseThrow();
            assertEquals("pcg+ic0", tuner.leader("rods").orElseThrow(), String.valueOf(rt.tuner().describe("rods")));
            long lastOnIc0 = results.subList(16, 24).stream().filter(r -> "pcg+ic0".equals(r.parameters().get("methodArm"))).count();
            assertTrue(lastOnIc0 >= 7, "last 8 jobs on pcg+ic0: " + lastOnIc0 + " " + rt.tuner().describe("rods"));
        }
    }

    /** Upwinded convection–diffusion −Δu + 20·u_x on an m × m grid: positive diagonal, not symmetric. */
    static CsrMatrix convectionDiffusion(int m) {
        int n = m * m;
        int[] rowPtr = new int[n + 1];
        int[] col = new int[5 * n];
        double[] val = new double[5 * n];
        double h = 1.0 / (m + 1), c = 20 * h; // upwind: the west neighbour takes the convection
        int k = 0;
        for (int i = 0; i < n; i++) {
            int ix = i % m, iy = i / m;
            if (iy > 0) { col[k] = i - m; val[k++] = -1; }
            if (ix > 0) { col[k] = i - 1; val[k++] = -1 - c; }
            col[k] = i; val[k++] = 4 + c;
            if (ix < m - 1) { col[k] = i + 1; val[k++] = -1; }
            if (iy < m - 1) { col[k] = i + m; val[k++] = -1; }
            rowPtr[i + 1] = k;
        }
        return CsrMatrix.of(n, n, rowPtr, java.util.Arrays.copyOf(col, k), java.util.Arrays.copyOf(val, k));
    }

    @Test
    void aNonSymmetricFamilyIsOfferedOnlyGmresAndBicgstabAndEveryArmSolvesIt() throws Exception {
        CsrMatrix a = convectionDiffusion(24);
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.WORKERS.name(), "1"));
        java.util.Set<String> arms = new java.util.TreeSet<>();
        try (KilnRuntime rt = new KilnRuntime(config, BackendRegistry.of(List.of(new CpuBackend()), config.asMap()), new ShortestQueueRouter())) {
            for (int j = 0; j < 6; j++) {
                double[] b = new double[a.rows()];
                java.util.Arrays.fill(b, 1 + j);
                LinearOptions o = new LinearOptions(LinearMethod.AUTO, "auto", Double.NaN, TOL, 20_000, Precision.FP64, false);
                Job job = new Job("n" + j, JobKind.LINEAR, "flow", new double[0], LinearProblem.of(a, b, null),
                        new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
                JobResult r = assertInstanceOf(Submission.Accepted.class, rt.submit(job)).record().result().get(60, TimeUnit.SECONDS);
                assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
                assertTrue(r.residualNorm() <= TOL, r.residualNorm() + " " + r.method());
                arms.add(r.parameters().get("methodArm").toString());
            }
        }
        assertEquals(java.util.Set.of("bicgstab+jacobi", "bicgstab+none", "gmres+jacobi", "gmres+none"), arms);
    }
}
