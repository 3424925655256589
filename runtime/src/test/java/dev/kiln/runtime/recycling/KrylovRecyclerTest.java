package dev.kiln.runtime.recycling;

import dev.kiln.solvers.krylov.RecycledSubspace;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.RecycleExchange;
import dev.kiln.spi.RecyclingChannel;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime side of recycling with a fake backend: what {@code tune} hands the backend and what
 * {@code learn} keeps and reports. The real solve is covered by the solver's and the CPU
 * backend's tests and end to end in deploy.
 */
class KrylovRecyclerTest {
    static final RecyclingConfig CONFIG = new RecyclingConfig(4, 3, 1L << 30, false);
    static final CsrMatrix A = PoissonGenerator.poisson2d(6, 6);

    static Job job(String id, String family, double c, double[] x0, LinearMethod method) {
        double[] b = new double[36];
        Arrays.fill(b, 1);
        LinearOptions o = new LinearOptions(method, "auto", Double.NaN, 1e-8, 100, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, family, new double[]{c}, new LinearProblem(A, b, x0),
                new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    /** What a backend that solved exactly would return: x filled with the given value. */
    static SolveOutcome solved(double value) {
        double[] x = new double[36];
        Arrays.fill(x, value);
        return new SolveOutcome("pcg+jacobi", Map.of("format", "csr"), 10, 1e-9, true, x, null, Double.NaN, Double.NaN);
    }

    static SolveOutcome run(KrylovRecycler r, Job j, double value) {
        Job tuned = r.tune(j);
        return r.learn(tuned, solved(value), 1_000_000);
    }

    @Test
    void theFirstJobOfAFamilyStartsColdAndIsRemembered() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        Job j = job("a", "f", 0.1, null, LinearMethod.AUTO);
        Job tuned = r.tune(j);
        assertNull(((LinearProblem) tuned.problem()).x0());
        SolveOutcome out = r.learn(tuned, solved(1), 1);
        assertEquals(false, out.parameters().get("warmStart"));
        assertEquals("csr", out.parameters().get("format"), "the backend's parameters are kept");
        assertEquals(List.of("a"), r.keptJobIds("f"));
    }

    @Test
    void theWarmStartIsTheSolutionOfTheNearestContextNotTheNewest() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        run(r, job("c1", "f", 1.0, null, LinearMethod.AUTO), 1);
        run(r, job("c5", "f", 5.0, null, LinearMethod.AUTO), 5);
        run(r, job("c9", "f", 9.0, null, LinearMethod.AUTO), 9);
        Job tuned = r.tune(job("c4", "f", 4.0, null, LinearMethod.AUTO));
        assertEquals(5.0, ((LinearProblem) tuned.problem()).x0()[0]);
        RecycleExchange ex = RecyclingChannel.lookup(tuned);
        assertNotNull(ex, "a cg/pcg/auto job gets an exchange");
        assertEquals(2, ex.extraStart().length, "the other kept solutions join the Galerkin start");
        SolveOutcome out = r.learn(tuned, solved(4), 1);
        assertEquals(true, out.parameters().get("warmStart"));
        assertEquals("c5", out.parameters().get("warmStartFrom"));
        assertNull(RecyclingChannel.lookup(tuned), "learn closes the exchange");
    }

    @Test
    void aClientsOwnX0IsNeverReplaced() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        run(r, job("a", "f", 1.0, null, LinearMethod.AUTO), 1);
        double[] mine = new double[36];
        Job tuned = r.tune(job("b", "f", 1.0, mine, LinearMethod.AUTO));
        assertSame(mine, ((LinearProblem) tuned.problem()).x0());
        assertEquals(false, r.learn(tuned, solved(1), 1).parameters().get("warmStart"));
    }

    @Test
    void jobsWithoutAFamilyAreLeftAlone() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        Job j = job("a", null, 1.0, null, LinearMethod.AUTO);
        assertSame(j, r.tune(j));
        SolveOutcome out = solved(1);
        assertSame(out, r.learn(j, out, 1));
    }

    @Test
    void stationaryMethodsGetTheWarmStartButNoExchange() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        run(r, job("a", "f", 1.0, null, LinearMethod.SOR), 1);
        Job tuned = r.tune(job("b", "f", 1.0, null, LinearMethod.SOR));
        assertNotNull(((LinearProblem) tuned.problem()).x0());
        assertNull(RecyclingChannel.lookup(tuned));
        r.learn(tuned, solved(1), 1);
    }

    @Test
    void aFailedSolveIsNotRemembered() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        Job tuned = r.tune(job("a", "f", 1.0, null, LinearMethod.AUTO));
        SolveOutcome failed = new SolveOutcome("cg", Map.of(), 100, 0.5, false, new double[36], null, Double.NaN, Double.NaN);
        r.learn(tuned, failed, 1);
        assertEquals(List.of(), r.keptJobIds("f"));
    }

    @Test
    void aSubspaceTheBackendHarvestedIsOfferedToTheNextJobAndReported() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        Job first = r.tune(job("a", "f", 1.0, null, LinearMethod.AUTO));
        RecycleExchange ex = RecyclingChannel.lookup(first);
        double[][] basis = {new double[36], new double[36]};
        basis[0][0] = 1;
        basis[1][1] = 1;
        RecycledSubspace harvested = new RecycledSubspace(basis, new double[]{0.1, 0.2});
        ex.report(0, harvested, false);                      // what a recycling backend does
        SolveOutcome out = r.learn(first, solved(1), 1);
        assertEquals(true, out.parameters().get("subspaceRefreshed"));
        assertEquals(0, out.parameters().get("recycledVectors"));
        assertEquals(2, r.describe("f").orElseThrow().get("recycledSubspaceSize"));

        Job second = r.tune(job("b", "f", 1.0, null, LinearMethod.PCG));
        RecycleExchange ex2 = RecyclingChannel.lookup(second);
        assertSame(harvested, ex2.offered());
        assertEquals(0, ex2.settings().harvest(), "a fresh subspace is not refreshed on the next solve");
        ex2.report(2, null, false);
        SolveOutcome out2 = r.learn(second, solved(1), 1);
        assertEquals(2, out2.parameters().get("recycledVectors"));
        assertEquals(false, out2.parameters().get("subspaceRefreshed"));
    }

    @Test
    void theMemoryBudgetShedsTheOldestSolutions() {
        long oneSolution = 8L * 36;
        KrylovRecycler r = new KrylovRecycler(new RecyclingConfig(0, 3, 2 * oneSolution, false));
        for (int i = 0; i < 3; i++) run(r, job("j" + i, "f", i, null, LinearMethod.AUTO), i);
        assertEquals(List.of("j2", "j1"), r.keptJobIds("f"));
    }

    @Test
    void describeReportsTheFamilysRecyclingState() {
        KrylovRecycler r = new KrylovRecycler(CONFIG);
        assertTrue(r.describe("f").isEmpty());
        run(r, job("a", "f", 1.0, null, LinearMethod.AUTO), 1);
        run(r, job("b", "f", 1.1, null, LinearMethod.AUTO), 1);
        Map<String, Object> d = r.describe("f").orElseThrow();
        assertEquals(0, d.get("recycledSubspaceSize"));
        @SuppressWarnings("unchecked") Map<String, Object> rec = (Map<String, Object>) d.get("recycling");
        assertEquals(2L, rec.get("jobs"));
        assertEquals(1L, rec.get("warmStarts"));
        assertEquals(2, rec.get("solutionsKept"));
        assertFalse(rec.containsKey("omega"));
    }

    @Test
    void disabledRecyclingChangesNothing() {
        KrylovRecycler r = new KrylovRecycler(new RecyclingConfig(8, 0, 1L << 30, false));
        Job j = job("a", "f", 1.0, null, LinearMethod.AUTO);
        assertSame(j, r.tune(j));
        assertArrayEquals(new double[0], new double[0]);
    }
}
