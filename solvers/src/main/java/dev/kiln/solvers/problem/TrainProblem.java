package dev.kiln.solvers.problem;

import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.solvers.train.Network;

/**
 * Fit a classifier: a model, a data set split into train and test, a loss. Built through
 * {@link #of}, which checks that the model fits the data; {@link #size()} is the number of
 * trainable parameters. Lives beside the other problems because {@link Problem} is sealed
 * (an unnamed module seals within one package); the model, data and training code are in
 * {@code dev.kiln.solvers.train}.
 */
public record TrainProblem(ModelSpec model, DatasetSplit data, Loss loss) implements Problem {
    /** Largest parameter count accepted (10⁸ doubles = 800 MB per copy of θ). */
    public static final long MAX_PARAMETERS = 100_000_000L;

    public static TrainProblem of(ModelSpec model, DatasetSplit data, Loss loss) {
        if (model == null) throw new InvalidProblemException("problem.model", "is required");
        if (data == null) throw new InvalidProblemException("problem.dataset", "is required");
        if (loss == null) throw new InvalidProblemException("problem.loss", "is required");
        if (data.train().features() != data.test().features() || data.train().classes() != data.test().classes()) {
            throw new InvalidProblemException("problem.dataset", "train and test sets disagree on features or classes");
        }
        long p = Network.parameterCount(model.layerSizes(data.train().features(), data.train().classes()));
        if (p > MAX_PARAMETERS) {
            throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, "problem.model",
                    p + " parameters exceed the limit of " + MAX_PARAMETERS);
        }
        return new TrainProblem(model, data, loss);
    }

    /** The network this problem trains. */
    public Network network() {
        return new Network(model.layerSizes(data.train().features(), data.train().classes()), model.activation(), loss);
    }

    @Override
    public int size() { return (int) Network.parameterCount(model.layerSizes(data.train().features(), data.train().classes())); }
}
