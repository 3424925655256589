package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.TrainProblem;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training loop shared by every backend: seeded shuffles into mini-batches, forward,
 * gradient, the optimiser's {@link UpdateRule}, and an evaluation of the whole train and test
 * sets after each epoch. Backends differ only in the rule they plug in (a digital CG or a
 * simulated analog device for the natural-gradient direction), so the algorithm is written
 * once above them.
 */
public final class Trainer {
    private Trainer() { }

    /** Hears about each step and epoch; {@link #onStep} returning false stops training. */
    public interface Listener {
        boolean onStep(int step, double batchLoss);

        default void onEpoch(EpochRecord record) { }

        Listener NONE = (step, loss) -> true;
    }

    /**
     * Trains from the seeded initial parameters (or {@code initialTheta} when not null).
     *
     * @param batchSize samples per step (the last batch of an epoch may be smaller)
     */
    public static TrainingReport train(TrainProblem problem, int epochs, int batchSize, long seed, UpdateRule rule,
                                       double[] initialTheta, Listener listener) {
        Network net = problem.network();
        Dataset train = problem.data().train();
        Dataset test = problem.data().test();
        double[] theta = initialTheta != null ? initialTheta.clone() : net.initialParameters(seed);
        double[] g = new double[net.parameterCount()];
        List<EpochRecord> history = new ArrayList<>();
        long start = System.nanoTime();
        long evalNanos = 0;
        long t0 = System.nanoTime();
        history.add(record(net, theta, train, test, 0, 0, 0, 0));
        evalNanos += System.nanoTime() - t0;

        int n = train.rows(), d = train.features();
        int batch = Math.max(1, Math.min(batchSize, n));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] xb = new double[batch * d];
        int[] yb = new int[batch];
        int step = 0;
        boolean completed = true, diverged = false;
        outer:
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) { // Fisher–Yates
                int j = rnd.nextInt(i + 1);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
            for (int s = 0; s < n; s += batch) {
                int rows = Math.min(batch, n - s);
                double[] x = rows == batch ? xb : new double[rows * d];
                int[] y = rows == batch ? yb : new int[rows];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(train.x(), order[s + r] * d, x, r * d, d);
                    y[r] = train.labels()[order[s + r]];
                }
                Network.Pass pass = net.forward(theta, x, y, rows);
                double loss = pass.loss();
                if (!Double.isFinite(loss)) {
                    diverged = true;
                    completed = false;
                    break outer;
                }
                pass.gradient(g);
                rule.apply(theta, g, pass);
                step++;
                if (!listener.onStep(step, loss)) {
                    completed = false;
                    break outer;
                }
            }
            t0 = System.nanoTime();
            double wallMs = (t0 - start - evalNanos) / 1e6;
            EpochRecord r = record(net, theta, train, test, epoch, step, wallMs, rule.hardwareSeconds());
            evalNanos += System.nanoTime() - t0;
            history.add(r);
            listener.onEpoch(r);
            if (!Double.isFinite(r.trainLoss())) {
                diverged = true;
                completed = false;
                break;
            }
        }
        return new TrainingReport(List.copyOf(history), theta, step, completed, diverged, rule.hardwareSeconds(), rule.energyJoules());
    }

    private static EpochRecord record(Network net, double[] theta, Dataset train, Dataset test, int epoch, int step,
                                      double wallMs, double hw) {
        Network.Evaluation tr = net.evaluate(theta, train);
        Network.Evaluation te = net.evaluate(theta, test);
        return new EpochRecord(epoch, step, tr.loss(), tr.accuracy(), te.loss(), te.accuracy(), wallMs, hw);
    }
}
