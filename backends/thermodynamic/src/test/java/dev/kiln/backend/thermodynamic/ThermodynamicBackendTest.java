package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.ConjugateGradientDirection;
import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Datasets;
import dev.kiln.solvers.train.DirectionSolver;
import dev.kiln.solvers.train.LinearOperator;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.solvers.train.Network;
import dev.kiln.solvers.train.Activation;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.TrainOptions;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThermodynamicBackendTest {
    private final ThermodynamicBackend backend = new ThermodynamicBackend();

    private static TrainProblem digits(ModelSpec model) {
        return TrainProblem.of(model, DatasetSplit.random(Datasets.digits(), 0.2, 1).standardised(), Loss.CROSS_ENTROPY);
    }

    private static Job trainJob(TrainOptions.Optimizer optimizer, double analogTime, int epochs) {
        TrainOptions d = TrainOptions.defaults();
        TrainOptions o = new TrainOptions(optimizer, epochs, 64, Double.NaN, 0, d.beta1(), d.beta2(), d.epsilon(), d.damping(),
                d.cgTolerance(), d.cgMaxIterations(), analogTime, 0, d.noise(), d.bits(), true, false);
        return new Job("tngd", JobKind.TRAIN, null, null, digits(ModelSpec.logistic()), new JobOptions("thermodynamic", Objective.LATENCY, 0, 1, o));
    }

    @Test
    void withLongAnalogTimeAndNoNoiseTngdGivesNgdsDirection() {
        TrainProblem p = digits(ModelSpec.mlp(Activation.TANH, 8));
        Network net = p.network();
        double[] theta = net.initialParameters(3);
        int rows = 32;
        double[] x = Arrays.copyOf(p.data().train().x(), rows * 64);
        int[] y = Arrays.copyOf(p.data().train().labels(), rows);
        Network.Pass pass = net.forward(theta, x, y, rows);
        double[] g = new double[net.parameterCount()];
        pass.gradient(g);
        double damping = 0.1;
        LinearOperator a = (v, out) -> {
            pass.gaussNewtonProduct(v, out);
            for (int i = 0; i < out.length; i++) out[i] += damping * v[i];
        };
        double[] ngd = new ConjugateGradientDirection(1e-12, 2000).solve(a, g).d();
        // κ₀ = 0 and 52 bits: only the dynamics remain. λ_min(Â) ≥ damping/λ_max ≈ 0.1/2 → t = 2000τ is e^−100.
        DeviceModel exactish = DeviceModel.defaults().withNoise(0).withBits(52);
        DirectionSolver.Direction tngd = new ThermodynamicDirection(exactish, 2000, 0, true, 0, 1).solve(a, g);
        double diff = 0, norm = 0;
        for (int i = 0; i < g.length; i++) {
            diff += Math.pow(tngd.d()[i] - ngd[i], 2);
            norm += ngd[i] * ngd[i];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-6, "relative difference " + Math.sqrt(diff / norm));
        assertTrue(tngd.hardwareSeconds() > 2000 * exactish.tauSeconds(), "the modelled time includes the analog run");
    }

    @Test
    void theDeviceProgrammedWithTheCurvatureFactorGivesNgdsDirectionAndQuantisationCostsWhatItShould() {
        TrainProblem p = digits(ModelSpec.mlp(Activation.TANH, 8));
        Network net = p.network();
        int rows = 8;
        Network.Pass pass = net.forward(net.initialParameters(5), Arrays.copyOf(p.data().train().x(), rows * 64),
                Arrays.copyOf(p.data().train().labels(), rows), rows);
        double[] g = new double[net.parameterCount()];
        pass.gradient(g);
        double damping = 1;
        double[] ngd = new ConjugateGradientDirection(1e-12, 2000).solve(pass, damping, g).d();
        // 52 bits, no noise, long time (λ_min(Â) ≥ λ/λ_max(F + λI), so 300τ leaves e^−(300/λ_max) of the start):
        // the factor form is the same system, so the same direction.
        ThermodynamicDirection exact = new ThermodynamicDirection(DeviceModel.defaults().withNoise(0).withBits(52), 300, 0, true, 0, 1);
        assertTrue(relativeDifference(exact.solve(pass, damping, g).d(), ngd) < 1e-6);
        assertEquals(1, exact.quantisedSteps());
        // 6 bits on U (and on g and the read-out): each value off by ≤ 2⁻⁶·max|U|, so the direction moves, but by a
        // bounded amount — a percent-level change, not a different direction.
        ThermodynamicDirection coarse = new ThermodynamicDirection(DeviceModel.defaults().withNoise(0).withBits(6), 300, 0, true, 0, 1);
        double rel = relativeDifference(coarse.solve(pass, damping, g).d(), ngd);
        assertTrue(rel > 1e-4 && rel < 0.3, "6-bit factors moved the direction by " + rel);
    }

    private static double relativeDifference(double[] a, double[] b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void atZeroAnalogTimeTheFirstTngdStepIsTheGradient() {
        LinearOperator a = (v, out) -> { for (int i = 0; i < v.length; i++) out[i] = 3 * v[i]; };
        double[] g = {0.5, -0.25, 1};
        DirectionSolver.Direction d = new ThermodynamicDirection(DeviceModel.defaults().withBits(52), 0, 0, true, 0, 1).solve(a, g);
        for (int i = 0; i < g.length; i++) assertEquals(g[i], d.d()[i], 1e-12);
    }

    @Test
    void tngdTrainJobRunsWithProgressAndModelledHardwareTime() {
        Job job = trainJob(TrainOptions.Optimizer.TNGD, 5, 1);
        assertTrue(backend.supports(job).supported());
        AtomicInteger steps = new AtomicInteger();
        SolveOutcome out = backend.solve(job, (it, loss) -> steps.set(it), Cancellation.NONE);
        assertNull(out.error());
        assertTrue(out.converged());
        assertEquals(23, steps.get());
        assertEquals(23L, out.answer().get("curvatureQuantisedSteps"), "every step programmed the quantised factor");
        assertEquals(0L, out.answer().get("curvatureUnquantisedSteps"));
        assertTrue(out.hardwareSeconds() > 23 * 5 * 1e-6, "at least the analog time of 23 steps of 5τ");
        assertTrue((double) out.answer().get("energyJoulesHigh") > (double) out.answer().get("energyJoulesLow"));
        assertTrue((double) out.answer().get("testAccuracy") > 0.85, "test accuracy " + out.answer().get("testAccuracy"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> history = (List<Map<String, Object>>) out.answer().get("history");
        assertEquals(2, history.size());
    }

    @Test
    void tngdAdamAndADelayTrainTooAndDifferFromPlainTngd() {
        TrainOptions d = TrainOptions.defaults();
        TrainOptions o = new TrainOptions(TrainOptions.Optimizer.TNGD_ADAM, 1, 64, 0.01, 0, d.beta1(), d.beta2(), d.epsilon(), d.damping(),
                d.cgTolerance(), d.cgMaxIterations(), 2, 0.5, d.noise(), d.bits(), true, true);
        Job job = new Job("tngd-adam", JobKind.TRAIN, null, null, digits(ModelSpec.logistic()), new JobOptions("thermodynamic", Objective.LATENCY, 0, 1, o));
        SolveOutcome adamVariant = backend.solve(job, (i, l) -> { }, Cancellation.NONE);
        assertTrue(adamVariant.converged(), String.valueOf(adamVariant.error()));
        assertEquals("tngd-adam", adamVariant.method());
        assertTrue((double) adamVariant.answer().get("testAccuracy") > 0.85, "test accuracy " + adamVariant.answer().get("testAccuracy"));
        TrainOptions plain = new TrainOptions(TrainOptions.Optimizer.TNGD, 1, 64, 0.01, 0, d.beta1(), d.beta2(), d.epsilon(), d.damping(),
                d.cgTolerance(), d.cgMaxIterations(), 2, 0.5, d.noise(), d.bits(), true, true);
        SolveOutcome tngd = backend.solve(new Job("tngd", JobKind.TRAIN, null, null, job.problem(), new JobOptions("thermodynamic", Objective.LATENCY, 0, 1, plain)),
                (i, l) -> { }, Cancellation.NONE);
        assertFalse(Arrays.equals((double[]) adamVariant.answer().get("weights"), (double[]) tngd.answer().get("weights")),
                "Adam on the device's direction is a different update");
    }

    @Test
    void digitalOptimisersAreRefusedNamingTheCpuBackend() {
        var s = backend.supports(trainJob(TrainOptions.Optimizer.ADAM, 5, 1));
        assertFalse(s.supported());
        assertEquals(ErrorCode.UNSUPPORTED, s.code());
        assertTrue(s.reason().contains("cpu"));
    }

    @Test
    void aLinearSolveStopsWhenCancelled() {
        Job job = ReferenceJobs.linear("cancel", ReferenceJobs.poisson2d(32), 1e-12, 100);
        AtomicInteger rounds = new AtomicInteger();
        Cancellation c = new Cancellation() {
            @Override public boolean cancelled() { return rounds.get() >= 1; }
            @Override public boolean deadlinePassed() { return false; }
        };
        SolveOutcome out = backend.solve(job, (it, res) -> rounds.set(it), c);
        assertEquals(ErrorCode.CANCELLED, out.error().code());
        assertFalse(out.converged());
        assertEquals(1, out.iterations());
    }

    @Test
    void aMatrixTooIllConditionedForTheDeviceBitsIsRefusedWithTheReason() {
        backend.configure(Map.of("kiln.thermodynamic.bits", "8"));
        var s = backend.supports(ReferenceJobs.linear("coarse", ReferenceJobs.poisson2d(24), 1e-8, 100));
        assertFalse(s.supported());
        assertTrue(s.reason().contains("8 bits"), s.reason());
    }

    @Test
    void aSmallSystemReportsItsErrorBarAndPredictedError() {
        SolveOutcome out = backend.solve(ReferenceJobs.linear("small", ReferenceJobs.poisson2d(6), 1e-6, 100), (i, r) -> { }, Cancellation.NONE);
        assertTrue(out.converged());
        assertEquals("exact-ou", out.answer().get("integrator"));
        assertTrue((double) out.answer().get("errorBar") > 0);
        assertTrue((double) out.answer().get("predictedError") > 0);
        assertTrue(out.hardwareSeconds() > 0);
    }
}
