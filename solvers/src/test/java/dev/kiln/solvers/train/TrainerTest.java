package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.TrainProblem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static TrainProblem digits(ModelSpec model) {
        return TrainProblem.of(model, DatasetSplit.random(Datasets.digits(), 0.2, 1).standardised(), Loss.CROSS_ENTROPY);
    }

    @Test
    void adamTrainsSoftmaxRegressionOnDigitsPastNinetyPercent() {
        TrainingReport r = Trainer.train(digits(ModelSpec.logistic()), 5, 32, 1, UpdateRule.adam(0.01, 0.9, 0.999, 1e-8), null, Trainer.Listener.NONE);
        assertTrue(r.completed());
        assertEquals(6, r.history().size(), "epoch 0 plus five");
        assertTrue(r.last().testAccuracy() > 0.9, "test accuracy " + r.last().testAccuracy());
        assertTrue(r.last().trainLoss() < r.history().get(0).trainLoss());
    }

    @Test
    void naturalGradientWithCgTrainsAnMlpOnDigits() {
        UpdateRule ngd = UpdateRule.naturalGradient(new ConjugateGradientDirection(1e-4, 50), 0.1, UpdateRule.sgd(0.3, 0));
        TrainingReport r = Trainer.train(digits(ModelSpec.mlp(Activation.TANH, 32)), 2, 64, 1, ngd, null, Trainer.Listener.NONE);
        assertTrue(r.last().testAccuracy() > 0.9, "test accuracy " + r.last().testAccuracy());
    }

    @Test
    void trainingIsReproducibleForAFixedSeed() {
        TrainingReport a = Trainer.train(digits(ModelSpec.mlp(Activation.RELU, 16)), 1, 64, 9, UpdateRule.sgd(0.1, 0.9), null, Trainer.Listener.NONE);
        TrainingReport b = Trainer.train(digits(ModelSpec.mlp(Activation.RELU, 16)), 1, 64, 9, UpdateRule.sgd(0.1, 0.9), null, Trainer.Listener.NONE);
        assertArrayEquals(a.theta(), b.theta());
    }

    @Test
    void aListenerReturningFalseStopsTraining() {
        TrainingReport r = Trainer.train(digits(ModelSpec.logistic()), 10, 32, 1, UpdateRule.sgd(0.1, 0), null, (step, loss) -> step < 5);
        assertFalse(r.completed());
        assertEquals(5, r.steps());
    }

    @Test
    void aHugeLearningRateIsReportedAsDivergence() {
        TrainProblem p = TrainProblem.of(ModelSpec.logistic(), DatasetSplit.random(Datasets.digits(), 0.2, 1), Loss.MSE);
        TrainingReport r = Trainer.train(p, 3, 32, 1, UpdateRule.sgd(1e6, 0), null, Trainer.Listener.NONE);
        assertTrue(r.diverged());
        assertFalse(r.completed());
    }
}
