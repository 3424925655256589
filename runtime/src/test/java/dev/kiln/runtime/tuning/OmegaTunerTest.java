package dev.kiln.runtime.tuning;

import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OmegaTunerTest {
    static final LinearProblem P = LinearProblem.of(PoissonGenerator.poisson2d(4, 4), PoissonGenerator.ones(16), null);

    static Job job(String id, String family, LinearMethod m, String pre, double omega) {
        LinearOptions o = new LinearOptions(m, pre, omega, 1e-8, 1000, Precision.FP64, false);
        return new Job(id, JobKind.LINEAR, family, new double[0], P, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    static SolveOutcome converged(int iterations) {
        return new SolveOutcome("sor", Map.of("omega", 0.0), iterations, 1e-9, true, null, null, Double.NaN, Double.NaN);
    }

    @Test
    void aSorJobWithAutoOmegaGetsAGridOmegaAndTheResultSaysWhich() {
        OmegaTuner t = new OmegaTuner();
        Job tuned = t.tune(job("a", "f", LinearMethod.SOR, "auto", Double.NaN));
        double omega = tuned.options().linear().omega();
        assertEquals(OmegaGrid.PAPER.omega(OmegaGrid.PAPER.nearest(omega)), omega, 0);
        SolveOutcome out = t.learn(tuned, converged(50), 1000);
        assertEquals(omega, (double) out.parameters().get("omega"), 0);
        assertTrue(out.parameters().containsKey("omegaExplored"));
        assertEquals(1L, t.describe("f").map(m -> ((Map<?, ?>) ((Map<?, ?>) m.get("methods")).get("sor")).get("jobs")).orElseThrow());
    }

    @Test
    void jobsWithAFixedOmegaOrNoFamilyOrAnotherMethodPassUntouched() {
        OmegaTuner t = new OmegaTuner();
        Job fixed = job("a", "f", LinearMethod.SOR, "auto", 1.3);
        Job noFamily = job("b", null, LinearMethod.SOR, "auto", Double.NaN);
        Job jacobi = job("c", "f", LinearMethod.PCG, "jacobi", Double.NaN);
        assertSame(fixed, t.tune(fixed));
        assertSame(noFamily, t.tune(noFamily));
        assertSame(jacobi, t.tune(jacobi));
        assertTrue(t.describe("f").isEmpty());
    }

    @Test
    void ssorPreconditionedCgIsTunedSeparatelyFromSor() {
        OmegaTuner t = new OmegaTuner();
        t.learn(t.tune(job("a", "f", LinearMethod.SOR, "auto", Double.NaN)), converged(10), 1);
        t.learn(t.tune(job("b", "f", LinearMethod.PCG, "ssor", Double.NaN)), converged(10), 1);
        Map<?, ?> methods = (Map<?, ?>) t.describe("f").orElseThrow().get("methods");
        assertEquals(2, methods.size());
        assertTrue(methods.containsKey("pcg+ssor"));
    }

    @Test
    void aSnapshotRestoredIntoAFreshTunerKeepsWhatWasLearned() {
        OmegaTuner a = new OmegaTuner();
        for (int i = 0; i < 30; i++) a.learn(a.tune(job("j" + i, "f", LinearMethod.SOR, "auto", Double.NaN)), converged(100 + i), 1);
        Map<String, String> snap = a.snapshot();
        assertEquals(1, snap.size());
        OmegaTuner b = new OmegaTuner();
        snap.forEach(b::restore);
        assertEquals(a.describe("f").orElseThrow().get("methods").toString().replaceAll("jobs=\\d+|explored=\\d+|contextualJobs=\\d+|recentOmegas=\\[[^]]*]", ""),
                b.describe("f").orElseThrow().get("methods").toString().replaceAll("jobs=\\d+|explored=\\d+|contextualJobs=\\d+|recentOmegas=\\[[^]]*]", ""));
        // Merging the same snapshot twice counts nothing twice.
        snap.forEach(b::restore);
        assertEquals(snap, b.snapshot());
    }

    static Job withContext(Job j, double... context) {
        return new Job(j.id(), j.kind(), j.family(), context, j.problem(), j.options());
    }

    @Test
    void contextualSamplesSurviveASnapshotAndRestoreAndReplayingItAddsNothing() {
        OmegaTuner a = new OmegaTuner();
        for (int i = 0; i < 40; i++) {
            Job j = withContext(job("j" + i, "f", LinearMethod.SOR, "auto", Double.NaN), 0.01 * i, 1 - 0.02 * i);
            a.learn(a.tune(j), converged(50 + (i * 37) % 23), 1);
        }
        Map<String, String> snap = a.snapshot();
        assertTrue(snap.get("tuner/f/sor").contains("\"contextual\""), snap.toString());
        OmegaTuner b = new OmegaTuner();
        snap.forEach(b::restore);
        snap.forEach(b::restore);
        assertEquals(snap, b.snapshot());
        ContextualBandit ca = a.contextual("tuner/f/sor").orElseThrow(), cb = b.contextual("tuner/f/sor").orElseThrow();
        int samples = 0;
        for (int arm = 0; arm < ca.arms(); arm++) {
            assertEquals(ca.samples(arm).size(), cb.samples(arm).size());
            samples += cb.samples(arm).size();
            assertEquals(ca.stats(arm), cb.stats(arm));
            // the scale of the kernel is re-estimated from the same samples the running one saw
            assertEquals(ca.predict(arm, new double[]{0.2, 0.6}), cb.predict(arm, new double[]{0.2, 0.6}), 1e-12);
        }
        assertEquals(40, samples);
        // a fresh tuner without the record has nothing to predict from
        assertTrue(new OmegaTuner().contextual("tuner/f/sor").isEmpty());
    }

    @Test
    void twoReplicasContextualSamplesAreUnited() {
        OmegaTuner a = new OmegaTuner(), b = new OmegaTuner();
        for (int i = 0; i < 10; i++) {
            a.learn(a.tune(withContext(job("a" + i, "f", LinearMethod.SOR, "auto", Double.NaN), 0.1 * i)), converged(60 + i), 1);
            b.learn(b.tune(withContext(job("b" + i, "f", LinearMethod.SOR, "auto", Double.NaN), -0.1 * i)), converged(90 + i), 1);
        }
        a.snapshot().forEach(b::restore);
        ContextualBandit merged = b.contextual("tuner/f/sor").orElseThrow();
        int samples = 0;
        for (int arm = 0; arm < merged.arms(); arm++) samples += merged.samples(arm).size();
        assertEquals(20, samples, "both replicas' samples kept");
    }

    @Test
    void aCorruptSnapshotIsIgnored() {
        OmegaTuner t = new OmegaTuner();
        t.restore("tuner/f/sor", "{not json");
        t.restore("tuner/f/sor", "{\"arms\":3,\"lo\":1,\"hi\":1.5,\"stats\":[]}");
        assertTrue(t.describe("f").isEmpty(), "nothing restored from a corrupt or foreign-grid record");
    }
}
