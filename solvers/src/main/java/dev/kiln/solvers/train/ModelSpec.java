package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.InvalidProblemException;

/**
 * The model a train job fits: {@code logistic} (softmax regression, no hidden layer) or
 * {@code mlp} (dense hidden layers of the given widths with {@code activation}, then a dense
 * output layer of one unit per class).
 */
public record ModelSpec(Type type, int[] hidden, Activation activation) {
    /** The two model families of wire format v1. */
    public enum Type { LOGISTIC, MLP }

    /** Largest hidden width accepted; a guard against typos allocating gigabytes, not a model limit. */
    public static final int MAX_WIDTH = 65_536;
    /** Deepest MLP accepted (same reason). */
    public static final int MAX_HIDDEN_LAYERS = 16;

    public ModelSpec {
        hidden = hidden == null ? new int[0] : hidden.clone();
        if (activation == null) activation = Activation.TANH;
        if (type == Type.LOGISTIC && hidden.length > 0) {
            throw new InvalidProblemException("problem.model.hidden", "a logistic model has no hidden layers");
        }
        if (type == Type.MLP && hidden.length == 0) {
            throw new InvalidProblemException("problem.model.hidden", "an mlp needs at least one hidden layer, e.g. [64]");
        }
        if (hidden.length > MAX_HIDDEN_LAYERS) {
            throw new InvalidProblemException("problem.model.hidden", "at most " + MAX_HIDDEN_LAYERS + " hidden layers");
        }
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] < 1 || hidden[i] > MAX_WIDTH) {
                throw new InvalidProblemException("problem.model.hidden[" + i + "]", "width must be in [1, " + MAX_WIDTH + "]");
            }
        }
    }

    public static ModelSpec logistic() { return new ModelSpec(Type.LOGISTIC, new int[0], Activation.TANH); }

    public static ModelSpec mlp(Activation activation, int... hidden) { return new ModelSpec(Type.MLP, hidden, activation); }

    /** Layer widths from input to output. */
    public int[] layerSizes(int inputs, int classes) {
        int[] s = new int[hidden.length + 2];
        s[0] = inputs;
        System.arraycopy(hidden, 0, s, 1, hidden.length);
        s[s.length - 1] = classes;
        return s;
    }

    @Override
    public int[] hidden() { return hidden.clone(); }
}
