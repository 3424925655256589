package dev.kiln.solvers.train;

import java.util.SplittableRandom;

/**
 * A training set and a held-out test set with the same features and classes, both already
 * standardised (when asked) with the training set's statistics only, so no test information
 * leaks into training.
 */
public record DatasetSplit(Dataset train, Dataset test) {

    /**
     * A seeded random split: a Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Alg. 3.4.2 P) of
     * the rows, the last {@code testFraction} of them held out.
     */
    public static DatasetSplit random(Dataset all, double testFraction, long seed) {
        int n = all.rows();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        int test = (int) Math.round(n * testFraction);
        test = Math.max(1, Math.min(n - 1, test));
        int[] tr = java.util.Arrays.copyOfRange(perm, 0, n - test);
        int[] te = java.util.Arrays.copyOfRange(perm, n - test, n);
        return new DatasetSplit(all.select(tr), all.select(te));
    }

    /**
     * Both sets shifted and scaled per feature to zero mean and unit variance of the
     * training set; a constant feature (variance 0, e.g. a border pixel of digits) is only
     * centred.
     */
    public DatasetSplit standardised() {
        int d = train.features();
        double[] mean = new double[d];
        double[] var = new double[d];
        double[] x = train.x();
        for (int i = 0; i < train.rows(); i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= train.rows();
        for (int i = 0; i < train.rows(); i++) for (int j = 0; j < d; j++) {
            double t = x[i * d + j] - mean[j];
            var[j] += t * t;
        }
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(var[j] / train.rows());
            scale[j] = sd > 0 ? 1.0 / sd : 1.0;
        }
        return new DatasetSplit(apply(train, mean, scale), apply(test, mean, scale));
    }

    private static Dataset apply(Dataset s, double[] mean, double[] scale) {
        int d = s.features();
        double[] out = new double[s.x().length];
        for (int i = 0; i < s.rows(); i++) for (int j = 0; j < d; j++) out[i * d + j] = (s.x()[i * d + j] - mean[j]) * scale[j];
        return new Dataset(s.name(), s.rows(), d, s.classes(), out, s.labels());
    }
}
