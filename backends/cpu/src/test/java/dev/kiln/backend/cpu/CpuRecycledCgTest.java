package dev.kiln.backend.cpu;

import dev.kiln.solvers.krylov.RecycledSubspace;
import dev.kiln.solvers.krylov.RecyclingSettings;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.RecycleExchange;
import dev.kiln.spi.RecyclingChannel;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU backend's recycling hook: a job with an open exchange runs deflated CG and answers through it. */
class CpuRecycledCgTest {
    static Job job(String id, CsrMatrix a, double[] b, double[] x0, LinearMethod method, String pre) {
        LinearOptions lo = new LinearOptions(method, pre, Double.NaN, 1e-8, 5000, Precision.FP64, true);
        return new Job(id, JobKind.LINEAR, "fam", new double[0], new LinearProblem(a, b, x0), new JobOptions("cpu", Objective.LATENCY, 0, 1, lo));
    }

    static SolveOutcome solve(Job j) {
        return new CpuBackend().solve(j, ProgressSink.NONE, Cancellation.NONE);
    }

    @Test
    void aJobWithAnOpenExchangeHarvestsASubspaceAndStillConverges() {
        CsrMatrix a = PoissonGenerator.poisson2d(24, 24, 0.01);
        double[] b = PoissonGenerator.sample2d(24, 24, (x, y) -> x - y * y);
        Job first = job("r1", a, b, null, LinearMethod.AUTO, "auto");
        RecycleExchange ex = new RecycleExchange(RecycledSubspace.EMPTY, new double[0][], new RecyclingSettings(6, 18, false));
        RecyclingChannel.open(first, ex);
        try {
            SolveOutcome out = solve(first);
            assertTrue(out.converged());
            assertTrue(out.residualNorm() <= 1e-8);
            assertTrue(ex.used());
            assertNotNull(ex.harvested());
            assertEquals(6, ex.harvested().size());
        } finally {
            RecyclingChannel.close(first);
        }
        // the next job of the family deflates with it, starting from the first solution
        Job second = job("r2", PoissonGenerator.poisson2d(24, 24, 0.012), b, null, LinearMethod.PCG, "jacobi");
        RecycleExchange ex2 = new RecycleExchange(ex.harvested(), new double[0][], new RecyclingSettings(6, 18, true));
        RecyclingChannel.open(second, ex2);
        try {
            SolveOutcome out = solve(second);
            assertTrue(out.converged());
            assertTrue(out.residualNorm() <= 1e-8);
            assertEquals(6, ex2.deflatedVectors());
            assertFalse(ex2.abandoned());
        } finally {
            RecyclingChannel.close(second);
        }
    }

    @Test
    void anExchangeOpenedForAnotherJobObjectIsNotUsed() {
        CsrMatrix a = PoissonGenerator.poisson2d(8, 8);
        double[] b = new double[64];
        java.util.Arrays.fill(b, 1);
        Job opened = job("same-id", a, b, null, LinearMethod.CG, "none");
        Job other = job("same-id", a, b, null, LinearMethod.CG, "none");
        RecycleExchange ex = new RecycleExchange(RecycledSubspace.EMPTY, new double[0][], new RecyclingSettings(4, 12, false));
        RecyclingChannel.open(opened, ex);
        try {
            assertTrue(solve(other).converged());
            assertFalse(ex.used(), "keyed by the job object, not only its id");
        } finally {
            RecyclingChannel.close(opened);
        }
    }

    @Test
    void stationaryMethodsIgnoreTheExchangeButUseTheWarmStart() {
        CsrMatrix a = PoissonGenerator.poisson2d(8, 8);
        double[] b = new double[64];
        java.util.Arrays.fill(b, 1);
        double[] x = solve(job("s0", a, b, null, LinearMethod.CG, "none")).solution();
        Job sor = job("s1", a, b, x, LinearMethod.SOR, "auto");
        RecycleExchange ex = new RecycleExchange(RecycledSubspace.EMPTY, new double[0][], new RecyclingSettings(4, 12, false));
        RecyclingChannel.open(sor, ex);
        try {
            SolveOutcome out = solve(sor);
            assertTrue(out.converged());
            assertTrue(out.iterations() <= 2, "started at the solution: " + out.iterations());
            assertFalse(ex.used());
        } finally {
            RecyclingChannel.close(sor);
        }
    }
}
