package dev.kiln.backend.neuromorphic;

import dev.kiln.spi.conformance.ReferenceJobs;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import dev.kiln.solvers.qubo.QuboAssembler;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoihiEmulatorTest {

    private static QuboOptions steps(long timesteps, int replicas) {
        QuboOptions d = QuboOptions.defaults();
        return new QuboOptions(0, 0, replicas, Double.NaN, timesteps, d.schedule(), Double.NaN, Double.NaN, d.stepsPerTemperature(), d.refractScaling());
    }

    private static Job job(QuboProblem q, QuboOptions o) {
        return new Job("q", JobKind.QUBO, null, null, q, new JobOptions("neuromorphic", Objective.LATENCY, 0, 5, o));
    }

    @Test
    void findsTheBruteForceOptimumOfSmallRandomQubos() {
        LoihiEmulator emu = new LoihiEmulator(LoihiCostModel.loihi2Default(), 2);
        for (long seed = 1; seed <= 3; seed++) {
            QuboProblem q = ReferenceJobs.randomQubo(14, 0.4, seed);
            EmulatorRun run = emu.run(q, steps(3000, 4), seed, Cancellation.NONE, ProgressSink.NONE);
            assertEquals(ReferenceJobs.bruteForceMinimum(q), run.bestEnergy(), "instance " + seed);
            assertEquals(q.energy(run.best()), run.bestEnergy());
        }
    }

    @Test
    void refractoryNeuronsDoNotFlip() {
        // Strong pull to 1 everywhere: without refractoriness every neuron would flip at step 1.
        QuboAssembler a = new QuboAssembler(50, "t");
        for (int i = 0; i < 50; i++) a.add(i, i, -100);
        NebmNetwork net = new NebmNetwork(QuantizedQubo.of(a.build(QuboProblem.Origin.QUBO)), 0, 1);
        java.util.Arrays.fill(net.refract, 3);
        for (int s = 0; s < 3; s++) {
            net.step(1e-3);
            assertEquals(0, net.lastStepFlips, "step " + s);
        }
        net.step(1e-3);
        assertEquals(50, net.lastStepFlips);
    }

    @Test
    void flipsOfOneStepDoNotSeeEachOther() {
        // Two variables that each want to be 1 alone (bias −10) but pay +100 together. At a
        // near-zero temperature both decide on the state where the other is 0, so both flip in
        // step 1 and land in the joint state a sequential sweep would never choose.
        QuboProblem q = new QuboAssembler(2, "t").add(0, 0, -10).add(1, 1, -10).add(0, 1, 100).build(QuboProblem.Origin.QUBO);
        NebmNetwork net = new NebmNetwork(QuantizedQubo.of(q), 8, 3);
        net.step(1e-6);
        assertEquals(2, net.lastStepFlips);
        assertEquals(1, net.x[0]);
        assertEquals(1, net.x[1]);
        assertEquals((long) q.energy(net.x), net.chipEnergy, "running energy is exact for the joint move");
    }

    @Test
    void integerWeightsWithinEightBitsAreHeldExactly() {
        QuantizedQubo q = QuantizedQubo.of(ReferenceJobs.randomQubo(20, 0.5, 4));
        assertTrue(q.exact());
        assertEquals(1.0, q.scale());
        assertEquals(0.0, q.maxRelativeError());
    }

    @Test
    void lavaMisWeightsUseTheSharedExponent() {
        // 2·64 = 128 does not fit a signed 8-bit mantissa, 64·2¹ does.
        QuboProblem q = new QuboAssembler(2, "t").add(0, 0, -8).add(1, 1, -8).add(0, 1, 64).add(1, 0, 64).build(QuboProblem.Origin.QUBO);
        QuantizedQubo z = QuantizedQubo.of(q);
        assertTrue(z.exact());
        assertTrue(z.exponent() >= 1);
    }

    @Test
    void realValuedWeightsAreScaledIntoEightBitsWithBoundedError() {
        QuboProblem q = new QuboAssembler(3, "t").add(0, 1, 0.3).add(1, 2, -1000.7).add(0, 0, 2.5).build(QuboProblem.Origin.QUBO);
        QuantizedQubo z = QuantizedQubo.of(q);
        assertFalse(z.exact());
        for (int w : z.weights()) assertTrue(Math.abs(w) <= 127, "weight " + w);
        // Rounding to integers after scaling: at most ½ unit against a largest weight of 127.
        assertTrue(z.maxRelativeError() <= 0.5 / 127 + 1e-12, "error " + z.maxRelativeError());
    }

    @Test
    void reportsModelledHardwareTimeAndEnergyBesideTheAnswer() {
        MaxCutGraph g = MaxCutGraph.of(5, new int[] {0, 1, 2, 3, 4}, new int[] {1, 2, 3, 4, 0}, new double[] {1, 1, 1, 1, 1}, "edges");
        SolveOutcome out = new NeuromorphicBackend().solve(job(g.toQubo(), steps(500, 2)), ProgressSink.NONE, Cancellation.NONE);
        assertTrue(out.converged());
        assertEquals(4.0, out.answer().get("cut"));
        assertTrue(out.hardwareSeconds() > 0 && out.energyJoules() > 0);
        assertEquals(500L, out.answer().get("timesteps"));
        assertTrue((Long) out.answer().get("neuronUpdates") >= 2 * 500 * 5);
        assertTrue(((Map<?, ?>) out.answer().get("quantisation")).get("exact").equals(true));
    }

    @Test
    void refusesLinearJobsAndProblemsBeyondOneChip() {
        NeuromorphicBackend b = new NeuromorphicBackend();
        QuboAssembler big = new QuboAssembler(128 * 8192 + 1, "t");
        Support s = b.supports(job(big.build(QuboProblem.Origin.QUBO), steps(1, 1)));
        assertFalse(s.supported());
        assertEquals(ErrorCode.TOO_LARGE, s.code());
        assertTrue(s.reason().contains("cores"), s.reason());
    }

    @Test
    void stopsAtTheTargetAndCountsItsTimesteps() {
        QuboProblem q = ReferenceJobs.randomQubo(12, 0.5, 9);
        double opt = ReferenceJobs.bruteForceMinimum(q);
        QuboOptions o = steps(100_000, 2).withBudget(0, opt);
        EmulatorRun run = new LoihiEmulator(LoihiCostModel.loihi2Default(), 2).run(q, o, 1, Cancellation.NONE, ProgressSink.NONE);
        assertEquals("target", run.stoppedBy());
        assertEquals(opt, run.bestEnergy());
        assertTrue(run.hardwareSecondsToTarget() > 0);
    }
    @Test
    void randomStartHoldsStatesAndEnergyConsistentWithTheAssignment() {
        QuantizedQubo q = QuantizedQubo.of(ReferenceJobs.randomQubo(40, 0.3, 5));
        NebmNetwork net = new NebmNetwork(q, 4, 11, true);
        int ones = 0;
        long energy = 0;
        int[] rp = q.problem().rowPtr();
        int[] ci = q.problem().colIdx();
        for (int i = 0; i < 40; i++) {
            long field = q.biases()[i];
            for (int k = rp[i]; k < rp[i + 1]; k++) field += (long) q.weights()[k] * net.x[ci[k]];
            assertEquals(field, net.state[i], "state of neuron " + i);
            if (net.x[i] == 1) {
                ones++;
                energy += q.biases()[i];
                for (int k = rp[i]; k < rp[i + 1]; k++) if (ci[k] > i) energy += (long) q.weights()[k] * net.x[ci[k]];
            }
        }
        assertTrue(ones > 5 && ones < 35, "a uniformly random start, got " + ones + " ones of 40");
        assertEquals(energy, net.chipEnergy);
    }

    @Test
    void defaultScheduleIsOneCycleOverTheRunFromHalfTheSmallestWeight() {
        QuantizedQubo q = QuantizedQubo.of(ReferenceJobs.randomQubo(20, 0.3, 6));
        AnnealingSchedule s = LoihiEmulator.schedule(q, steps(4000, 1));
        assertEquals(4000, s.cycleSteps());
        assertEquals(q.minWeight() / 2.0, s.maxTemperature());
        assertEquals(q.minWeight() / 40.0, s.minTemperature(), 1e-12);
        assertTrue(s.temperatureAt(3999) < s.temperatureAt(0));
    }

    @Test
    void reachesTheLavaTutorialMisOptimumWithinFourThousandTimesteps() throws Exception {
        java.nio.file.Path f = java.nio.file.Path.of("../../../shared/data/qubo/mis-uniform-100-0.05-0.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(f), "shared MIS data not present");
        QuboProblem q = dev.kiln.solvers.qubo.IndependentSetQubo.read(f);
        double optimum = 44 * dev.kiln.solvers.qubo.IndependentSetQubo.NODE_REWARD;
        // The MIS hyperparameters the bench uses (docs/ARCHITECTURE.md, issue 6): short refractory
        // periods (refractScaling 6: 0 to 3 steps) and the default temperatures.
        QuboOptions d = QuboOptions.defaults();
        QuboOptions o = new QuboOptions(0, 0, 16, optimum, LoihiEmulator.DEFAULT_TIMESTEPS, d.schedule(), Double.NaN, Double.NaN,
                d.stepsPerTemperature(), 6);
        EmulatorRun run = new LoihiEmulator(LoihiCostModel.loihi2Default(), 2).run(q, o, 1, Cancellation.NONE, ProgressSink.NONE);
        assertEquals(optimum, run.bestEnergy());
        long first = java.util.Arrays.stream(run.stepsToTarget()).filter(t -> t >= 0).min().orElse(-1);
        assertTrue(first > 0 && first <= LoihiEmulator.DEFAULT_TIMESTEPS, "steps to the optimum: " + first);
    }

    /**
     * The features' work against hand-computed values: K₁₂ (132 stored couplings), 300
     * timesteps, 3 replicas on 2 threads: 2 rounds × 300 steps + 10 × 132 / 12 = 110 steps of
     * set-up, on n = 12 neurons; couplings are not part of a step.
     */
    @Test
    void featuresCountNeuronUpdatesPerThread() {
        QuboProblem q = dev.kiln.spi.conformance.ReferenceJobs.completeMaxCut(12, e -> 1);
        dev.kiln.spi.Features f = new LoihiEmulator(LoihiCostModel.loihi2Default(), 2).features(q, steps(300, 3));
        assertEquals(12, f.n());
        assertEquals(0, f.nnz());
        assertEquals(2 * 300 + 10 * 132 / 12.0, f.estimatedIterations(), 1e-9);
        assertEquals(300 + 110, new LoihiEmulator(LoihiCostModel.loihi2Default(), 4).features(q, steps(300, 3)).estimatedIterations(), 1e-9,
                "3 replicas on 4 threads: one round");
    }
}
