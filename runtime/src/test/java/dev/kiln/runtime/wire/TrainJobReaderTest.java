package dev.kiln.runtime.wire;

import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.Activation;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.TrainOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kind: train} documents in, {@link TrainProblem}s and {@link TrainOptions} out. */
class TrainJobReaderTest {
    private final JobDecoder decoder = new JobDecoder(WireLimits.defaults(), new MatrixStore(1_000_000));

    private Job decode(String problem, String options) throws JobRejectedException {
        return decoder.decode("{\"id\":\"t\",\"kind\":\"train\",\"problem\":" + problem
                + (options == null ? "" : ",\"options\":" + options) + "}");
    }

    private JobRejectedException rejected(String problem, String options, ErrorCode code, String field) {
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> decode(problem, options));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        return e;
    }

    private static final String DIGITS_MLP = "{\"model\":{\"type\":\"mlp\",\"hidden\":[32],\"activation\":\"relu\"},"
            + "\"dataset\":{\"name\":\"digits\"},\"loss\":\"cross-entropy\"}";

    @Test
    void digitsMlpJobDecodesWithDefaults() throws Exception {
        Job job = decode(DIGITS_MLP, null);
        assertEquals(JobKind.TRAIN, job.kind());
        TrainProblem p = (TrainProblem) job.problem();
        assertEquals(ModelSpec.Type.MLP, p.model().type());
        assertArrayEquals(new int[]{32}, p.model().hidden());
        assertEquals(Activation.RELU, p.model().activation());
        assertEquals(Loss.CROSS_ENTROPY, p.loss());
        assertEquals(1797 - 359, p.data().train().rows());
        assertEquals(64 * 32 + 32 + 32 * 10 + 10, p.size());
        TrainOptions o = job.options().kind(TrainOptions.class);
        assertEquals(TrainOptions.defaults(), o);
    }

    @Test
    void optionsAreReadIntoTrainOptions() throws Exception {
        Job job = decode(DIGITS_MLP, "{\"optimizer\":\"tngd\",\"epochs\":3,\"batchSize\":16,\"learningRate\":0.5,"
                + "\"damping\":0.01,\"analogTime\":5,\"delay\":0.5,\"noise\":0.002,\"bits\":10,\"returnWeights\":true,\"seed\":4}");
        TrainOptions o = job.options().kind(TrainOptions.class);
        assertEquals(TrainOptions.Optimizer.TNGD, o.optimizer());
        assertEquals(3, o.epochs());
        assertEquals(16, o.batchSize());
        assertEquals(0.5, o.learningRateOrDefault());
        assertEquals(0.01, o.damping());
        assertEquals(5, o.analogTime());
        assertEquals(0.5, o.delay());
        assertEquals(10, o.bits());
        assertTrue(o.returnWeights());
    }

    @Test
    void inlineDataIsSplitAndClassesInferred() throws Exception {
        Job job = decode("{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[0,1],[1,0],[1,1],[0,0],[2,2]],"
                + "\"labels\":[0,1,2,0,2],\"testFraction\":0.2,\"standardize\":false},\"loss\":\"mse\"}", null);
        TrainProblem p = (TrainProblem) job.problem();
        assertEquals(3, p.data().train().classes());
        assertEquals(4, p.data().train().rows());
        assertEquals(1, p.data().test().rows());
        assertEquals(Loss.MSE, p.loss());
    }

    @Test
    void anUnknownOptionIsRejectedNamingIt() {
        rejected(DIGITS_MLP, "{\"learningrate\":0.1}", ErrorCode.INVALID_OPTIONS, "options.learningrate");
    }

    @Test
    void anUnknownOptimizerIsRejected() {
        rejected(DIGITS_MLP, "{\"optimizer\":\"lbfgs\"}", ErrorCode.INVALID_OPTIONS, "options.optimizer");
    }

    @Test
    void anMlpWithoutHiddenLayersIsRejected() {
        rejected("{\"model\":{\"type\":\"mlp\"},\"dataset\":{\"name\":\"digits\"}}", null, ErrorCode.INVALID_PROBLEM, "problem.model.hidden");
    }

    @Test
    void anUnknownDatasetIsRejectedNamingTheChoices() {
        JobRejectedException e = rejected("{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"iris\"}}", null,
                ErrorCode.INVALID_PROBLEM, "problem.dataset.name");
        assertTrue(e.getMessage().contains("digits"));
    }

    @Test
    void inlineRowsOfUnequalWidthAreRejectedNamingTheRow() {
        rejected("{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[0,1],[1]],\"labels\":[0,1]}}", null,
                ErrorCode.INVALID_PROBLEM, "problem.dataset.features[1]");
    }

    @Test
    void fashionMnistFromAMissingFolderIsRejectedNamingThePath() {
        rejected("{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"fashion-mnist\",\"path\":\"/no/such/kiln\"}}", null,
                ErrorCode.INVALID_PROBLEM, "problem.dataset.path");
    }
}
