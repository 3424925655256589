package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.InvalidProblemException;

/**
 * A labelled classification data set held in memory: {@code rows} samples of {@code features}
 * numbers each, row-major in {@code x}, and a class label in [0, classes) per sample.
 * Immutable by convention: the arrays are taken over and never changed afterwards.
 */
public record Dataset(String name, int rows, int features, int classes, double[] x, int[] labels) {

    /** Validates shapes, finiteness and labels; {@code field} names the wire path for errors. */
    public static Dataset of(String name, int features, int classes, double[] x, int[] labels, String field) {
        if (features <= 0) throw new InvalidProblemException(field, "has no features");
        if (labels.length == 0) throw new InvalidProblemException(field, "has no samples");
        if (x.length != (long) labels.length * features) {
            throw new InvalidProblemException(field, x.length + " feature values do not make " + labels.length + " rows of " + features);
        }
        if (classes < 2) throw new InvalidProblemException(field, "needs at least 2 classes, has " + classes);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new InvalidProblemException(field + ".features[" + (i / features) + "][" + (i % features) + "]", "is not finite");
            }
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new InvalidProblemException(field + ".labels[" + i + "]", "label " + labels[i] + " outside [0, " + classes + ")");
            }
        }
        return new Dataset(name, labels.length, features, classes, x, labels);
    }

    /** The samples at {@code indices}, in that order (a copy). */
    public Dataset select(int[] indices) {
        double[] nx = new double[indices.length * features];
        int[] ny = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * features, nx, i * features, features);
            ny[i] = labels[indices[i]];
        }
        return new Dataset(name, indices.length, features, classes, nx, ny);
    }

    /** The first {@code n} samples (or all when there are fewer). */
    public Dataset head(int n) {
        if (n >= rows) return this;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return select(idx);
    }
}
