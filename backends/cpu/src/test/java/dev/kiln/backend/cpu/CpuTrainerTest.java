package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.Activation;
import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Datasets;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.TrainOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train jobs on the CPU backend: sgd, adam and ngd run; tngd is refused with a reason. */
class CpuTrainerTest {
    private final CpuBackend backend = new CpuBackend();

    private static Job job(ModelSpec model, TrainOptions.Optimizer optimizer, int epochs, boolean weights) {
        TrainOptions d = TrainOptions.defaults();
        TrainOptions o = new TrainOptions(optimizer, epochs, 64, Double.NaN, d.momentum(), d.beta1(), d.beta2(), d.epsilon(),
                d.damping(), d.cgTolerance(), d.cgMaxIterations(), d.analogTime(), d.delay(), d.noise(), d.bits(), true, weights);
        TrainProblem p = TrainProblem.of(model, DatasetSplit.random(Datasets.digits(), 0.2, 1).standardised(), Loss.CROSS_ENTROPY);
        return new Job("train-" + optimizer.wireName(), JobKind.TRAIN, null, null, p, new JobOptions("cpu", Objective.LATENCY, 0, 1, o));
    }

    @Test
    void ngdTrainsAnMlpAndReportsHistoryAndProgress() {
        Job job = job(ModelSpec.mlp(Activation.TANH, 16), TrainOptions.Optimizer.NGD, 2, false);
        assertTrue(backend.supports(job).supported());
        AtomicInteger lastStep = new AtomicInteger();
        SolveOutcome out = backend.solve(job, (it, loss) -> lastStep.set(it), Cancellation.NONE);
        assertNull(out.error());
        assertTrue(out.converged(), "a completed training run is a success");
        assertEquals("ngd+cg", out.method());
        assertEquals(out.iterations(), lastStep.get(), "progress reports every step");
        assertEquals(2 * 23, out.iterations(), "1438 samples in batches of 64 is 23 steps per epoch");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> history = (List<Map<String, Object>>) out.answer().get("history");
        assertEquals(3, history.size());
        assertTrue((double) out.answer().get("testAccuracy") > 0.9, "test accuracy " + out.answer().get("testAccuracy"));
        assertFalse(out.answer().containsKey("weights"), "weights only when asked");
    }

    @Test
    void weightsAreReturnedWhenAsked() {
        SolveOutcome out = backend.solve(job(ModelSpec.logistic(), TrainOptions.Optimizer.SGD, 1, true), (i, l) -> { }, Cancellation.NONE);
        assertEquals(650, ((double[]) out.answer().get("weights")).length);
    }

    @Test
    void tngdIsRefusedNamingTheThermodynamicBackend() {
        var s = backend.supports(job(ModelSpec.logistic(), TrainOptions.Optimizer.TNGD, 1, false));
        assertFalse(s.supported());
        assertEquals(ErrorCode.UNSUPPORTED, s.code());
        assertTrue(s.reason().contains("thermodynamic"));
    }

    @Test
    void cancellationStopsTrainingWithCancelled() {
        AtomicInteger steps = new AtomicInteger();
        Cancellation c = new Cancellation() {
            @Override public boolean cancelled() { return steps.get() >= 3; }
            @Override public boolean deadlinePassed() { return false; }
        };
        SolveOutcome out = backend.solve(job(ModelSpec.logistic(), TrainOptions.Optimizer.ADAM, 50, false), (i, l) -> steps.set(i), c);
        assertEquals(ErrorCode.CANCELLED, out.error().code());
        assertFalse(out.converged());
        assertEquals(3, out.iterations());
    }

    /** A step's cost is batch × parameters: an MLP with more parameters is more work on the same data. */
    @Test
    void featuresCountBatchTimesParametersPerStep() {
        Job logistic = job(ModelSpec.logistic(), TrainOptions.Optimizer.SGD, 2, false);
        Job mlp = job(ModelSpec.mlp(Activation.TANH, 16), TrainOptions.Optimizer.SGD, 2, false);
        dev.kiln.spi.Features fl = backend.features(logistic);
        dev.kiln.spi.Features fm = backend.features(mlp);
        long pl = ((TrainProblem) logistic.problem()).size();
        long pm = ((TrainProblem) mlp.problem()).size();
        assertEquals(pl, fl.n());
        assertEquals(64 * pl, fl.nnz(), "batch 64 × parameters");
        assertEquals(64 * pm, fm.nnz());
        assertEquals(2 * 23, fl.estimatedIterations(), 1e-9, "1438 samples in batches of 64: 23 steps an epoch, 2 epochs");
        assertTrue(pm > pl && fm.nnz() > fl.nnz(), "the larger model is more work");
    }
}
