package dev.kiln.runtime.tuning;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodTunerTest {
    static final LinearProblem SPD = LinearProblem.of(PoissonGenerator.poisson2d(4, 4), PoissonGenerator.ones(16), null);
    /** Upwinded convection–diffusion in 1D: positive diagonal, not symmetric. */
    static final LinearProblem NONSYMMETRIC = LinearProblem.of(CsrMatrix.of(3, 3, new int[]{0, 2, 5, 7},
            new int[]{0, 1, 0, 1, 2, 1, 2}, new double[]{3, -1, -2, 3, -1, -2, 3}), new double[]{1, 1, 1}, null);

    static Job job(String id, String family, LinearProblem p, LinearMethod m, String pre) {
        LinearOptions o = new LinearOptions(m, pre, Double.NaN, 1e-8, 1000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, family, new double[0], p, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    static SolveOutcome solved(Job tuned) {
        LinearOptions o = tuned.options().linear();
        return new SolveOutcome(o.method().wireName() + "+" + o.preconditioner(), Map.of(), 10, 1e-9, true, null, null, Double.NaN, Double.NaN);
    }

    static SolveOutcome notSpd(Job tuned) {
        return new SolveOutcome(tuned.options().linear().method().wireName(), Map.of(), 3, 0.5, false, null,
                new JobError(ErrorCode.NOT_SPD, "not SPD"), Double.NaN, Double.NaN);
    }

    static String arm(Job tuned) {
        LinearOptions o = tuned.options().linear();
        return o.method().wireName() + "+" + o.preconditioner();
    }

    @Test
    void normalisedCostsMatchAHandComputation() {
        // Solved in 2, 4 and 8 ms and failed once, with T = 8 ms (the slowest arm's geometric
        // mean): costs ln(2/8) = −2 ln 2, ln(4/8) = −ln 2, ln 1 = 0 and the cap 0 → mean −¾ ln 2;
        // Σy² = 5 ln²2, variance (5 − 4·(9/16)) ln²2 / 3 = (11/12) ln²2.
        double ln2 = Math.log(2);
        MethodBandit.ArmRecord a = new MethodBandit.ArmRecord(MethodBandit.LogTimes.EMPTY.plus(2).plus(4).plus(8), 1, true);
        assertEquals(-0.75 * ln2, MethodBandit.normalisedMean(a, Math.log(8)), 1e-14);
        assertEquals(11.0 / 12 * ln2 * ln2, MethodBandit.normalisedVariance(a, Math.log(8)), 1e-14);
        MethodBandit b = new MethodBandit();
        MethodArm jacobi = MethodArm.SPD.get(0), cg = MethodArm.SPD.get(1);
        b.update(new MethodBandit.Choice(jacobi, false), true, 50); // the warm-up solve: replaced by the next
        b.update(new MethodBandit.Choice(jacobi, false), true, 2);
        b.update(new MethodBandit.Choice(jacobi, false), true, 4);
        b.update(new MethodBandit.Choice(cg, true), true, 8);
        assertEquals(Math.log(8), b.logScale(), 1e-14);
        assertEquals("pcg+jacobi", b.leaderName());
        // one arm with two solves: the pooled variance is its variance of ln 2 and ln 4 = ½ ln²2
        assertEquals(0.5 * ln2 * ln2, b.pooledVariance(), 1e-14);
    }

    @Test
    void theFirstJobRunsTheBackendsOwnRuleThenEveryFittingArmIsTriedOnce() {
        MethodTuner t = new MethodTuner();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < MethodArm.SPD.size(); i++) {
            Job tuned = t.tune(job("j" + i, "f", SPD, LinearMethod.AUTO, "auto"));
            order.add(arm(tuned));
            SolveOutcome out = t.learn(tuned, solved(tuned), 1_000_000);
            assertEquals(arm(tuned), out.parameters().get("methodArm"));
            assertEquals(i > 0, out.parameters().get("methodExplored"));
        }
        assertEquals(List.of("pcg+jacobi", "cg+none", "pcg+ssor", "pcg+ic0", "pcg+chebyshev"), order);
        Job ns = t.tune(job("n", "g", NONSYMMETRIC, LinearMethod.AUTO, "auto"));
        assertEquals("gmres+jacobi", arm(ns));
        assertTrue(Double.isNaN(ns.options().linear().omega()), "ω stays auto for the ω tuner");
    }

    @Test
    void everyArmIsTriedTwiceAndItsSlowFirstSolveDoesNotCount() {
        // The fastest arm's first solve is 30× slow (one-time costs); it must still win the family.
        Map<String, Double> table = Map.of("pcg+jacobi", 10.0, "cg+none", 12.0, "pcg+ssor", 9.0, "pcg+ic0", 2.0, "pcg+chebyshev", 8.0);
        MethodTuner t = new MethodTuner();
        List<String> arms = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Job tuned = t.tune(job("j" + i, "f", SPD, LinearMethod.AUTO, "auto"));
            String arm = arm(tuned);
            double ms = table.get(arm) * (arm.equals("pcg+ic0") && !arms.contains(arm) ? 30 : 1);
            arms.add(arm);
            t.learn(tuned, solved(tuned), (long) (ms * 1e6));
        }
        assertEquals(List.of("pcg+jacobi", "cg+none", "pcg+ssor", "pcg+ic0", "pcg+chebyshev"), arms.subList(5, 10), "the second round");
        assertEquals("pcg+ic0", t.leader("f").orElseThrow());
        assertTrue(arms.subList(30, 40).stream().allMatch("pcg+ic0"::equals), arms.toString());
    }

    @Test
    void onlyAutoFp64FamilyJobsAreTuned() {
        MethodTuner t = new MethodTuner();
        Job noFamily = job("a", null, SPD, LinearMethod.AUTO, "auto");
        Job pcg = job("b", "f", SPD, LinearMethod.PCG, "auto");
        Job chosenPreconditioner = job("c", "f", SPD, LinearMethod.AUTO, "jacobi");
        assertSame(noFamily, t.tune(noFamily));
        assertSame(pcg, t.tune(pcg));
        assertSame(chosenPreconditioner, t.tune(chosenPreconditioner));
        assertTrue(t.describe("f").isEmpty());
    }

    @Test
    void onASyntheticCostTableTheFamilySettlesOnTheFastestArm() {
        // Mean wall times (ms) per arm, multiplicative log-normal noise of σ = 0.25 (larger than
        // the run-to-run spread of a solve on a quiet machine), seed fixed: pcg+ic0 is fastest,
        // pcg+chebyshev a close second (1.17×).
        Map<String, Double> table = Map.of("pcg+jacobi", 10.0, "cg+none", 14.0, "pcg+ssor", 9.0, "pcg+ic0", 6.0, "pcg+chebyshev", 7.0);
        MethodTuner t = new MethodTuner();
        SplittableRandom noise = new SplittableRandom(42);
        int jobs = 400, lastOnBest = 0;
        double total = 0;
        for (int i = 0; i < jobs; i++) {
            Job tuned = t.tune(job("j" + i, "synthetic", SPD, LinearMethod.AUTO, "auto"));
            double ms = table.get(arm(tuned)) * Math.exp(0.25 * gaussian(noise));
            total += ms;
            t.learn(tuned, solved(tuned), (long) (ms * 1e6));
            if (i >= jobs - 100 && arm(tuned).equals("pcg+ic0")) lastOnBest++;
        }
        assertEquals("pcg+ic0", t.leader("synthetic").orElseThrow());
        assertTrue(lastOnBest >= 90, "last 100 jobs on the fastest arm: " + lastOnBest);
        // against always playing the fastest arm (6 ms a job, mean of the noise e^{σ²/2} = 1.032)
        double ratio = total / (jobs * 6.0 * Math.exp(0.25 * 0.25 / 2));
        assertTrue(ratio < 1.15, "total time " + ratio + "x the fastest arm's");
    }

    @Test
    void anArmThatFailsIsChargedTheCapAndOnceItNeverSucceededIsNotTriedAgain() {
        MethodTuner t = new MethodTuner();
        Set<String> afterFailure = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Job original = job("j" + i, "f", SPD, LinearMethod.AUTO, "auto");
            Job tuned = t.tune(original);
            boolean chebyshev = arm(tuned).equals("pcg+chebyshev");
            SolveOutcome raw = chebyshev ? notSpd(tuned) : solved(tuned);
            SolveOutcome out = t.learn(tuned, raw, 1_000_000);
            assertEquals(chebyshev, MethodTuner.fellShort(original, tuned, out));
            if (chebyshev) {
                SolveOutcome rerun = new SolveOutcome("pcg+jacobi", Map.of("format", "csr"), 12, 1e-9, true, null, null, Double.NaN, Double.NaN);
                SolveOutcome merged = MethodTuner.withFallback(out, rerun);
                assertEquals("pcg→pcg+jacobi", merged.method());
                assertTrue(merged.succeeded());
                assertEquals("pcg+chebyshev", merged.parameters().get("methodArm"));
                assertEquals("pcg", merged.parameters().get("methodFallbackFrom"));
                assertEquals("csr", merged.parameters().get("format"));
            }
            if (i > MethodArm.SPD.size()) afterFailure.add(arm(tuned));
        }
        assertFalse(afterFailure.contains("pcg+chebyshev"), afterFailure.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> arms = (List<Map<String, Object>>) ((Map<String, Object>) t.describe("f").orElseThrow().get("methodChoice")).get("arms");
        Map<String, Object> cheb = arms.stream().filter(a -> a.get("arm").equals("pcg+chebyshev")).findFirst().orElseThrow();
        assertEquals(1L, cheb.get("failures"));
        assertEquals(0.0, cheb.get("normalisedCost")); // the cap: ln(T/T)
    }

    @Test
    void aCancelledJobTeachesNothing() {
        MethodTuner t = new MethodTuner();
        Job tuned = t.tune(job("a", "f", SPD, LinearMethod.AUTO, "auto"));
        SolveOutcome cancelled = new SolveOutcome("pcg+jacobi", Map.of(), 3, 0.5, false, null,
                new JobError(ErrorCode.CANCELLED, "cancelled"), Double.NaN, Double.NaN);
        SolveOutcome out = t.learn(tuned, cancelled, 5_000_000);
        assertEquals("pcg+jacobi", out.parameters().get("methodArm"));
        assertFalse(MethodTuner.fellShort(job("a", "f", SPD, LinearMethod.AUTO, "auto"), tuned, out));
        assertEquals(0L, ((Map<?, ?>) t.describe("f").orElseThrow().get("methodChoice")).get("jobs"));
    }

    @Test
    void aSnapshotRestoredIntoAFreshTunerKeepsWhatWasLearnedAndMergesByPulls() {
        MethodTuner t = new MethodTuner();
        for (int i = 0; i < 12; i++) {
            Job tuned = t.tune(job("j" + i, "f", SPD, LinearMethod.AUTO, "auto"));
            t.learn(tuned, arm(tuned).equals("cg+none") ? notSpd(tuned) : solved(tuned), (long) (1e6 * (1 + i % 3)));
        }
        Map<String, String> snap = t.snapshot();
        String json = snap.get("tuner/f/method");
        assertTrue(json != null && json.contains("\"failures\":1"), String.valueOf(json));
        MethodTuner fresh = new MethodTuner();
        fresh.restore("tuner/f/method", json);
        fresh.restore("tuner/f/method", json); // replaying the compacted topic twice counts nothing twice
        assertEquals(json, fresh.snapshot().get("tuner/f/method"));
        assertEquals(t.leader("f"), fresh.leader("f"));
        // the other side's record of an arm wins only when it has more pulls
        fresh.restore("tuner/f/method", "{\"version\":1,\"arms\":{\"pcg+ic0\":{\"solved\":100,\"sumLnMs\":-230,\"sumSquaresLnMs\":529,\"failures\":0,\"warm\":true}}}");
        assertEquals("pcg+ic0", fresh.leader("f").orElseThrow());
        assertNotEquals(json, fresh.snapshot().get("tuner/f/method"));
        // foreign and corrupt records are ignored, and the ω tuner leaves method records alone
        fresh.restore("tuner/f/method", "{not json");
        fresh.restore("tuner/f/sor", json);
        OmegaTuner omega = new OmegaTuner();
        omega.restore("tuner/f/method", json);
        assertTrue(omega.snapshot().isEmpty());
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
