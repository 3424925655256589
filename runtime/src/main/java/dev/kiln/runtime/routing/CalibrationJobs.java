package dev.kiln.runtime.routing;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import dev.kiln.solvers.train.Dataset;
import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.TrainOptions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The jobs {@link Calibration} runs, generated in code (no file is read at start-up), each
 * doing a fixed amount of work whatever backend runs it: linear solves to a tolerance, QUBO
 * anneals of a given sweep and timestep count with no time limit and no target, train jobs of
 * given epochs (no early stop exists). Per kind the sizes grow by a factor ≥ 8 so a fit's
 * slope is determined, and all stay small: a calibration is a start-up cost.
 */
public final class CalibrationJobs {
    /**
     * Grid sides of the 2-D Poisson calibration problems: n = 64 … 4 096 unknowns, each well
     * under a second on any backend, and spanning a factor 64 in size so the fit's slope is
     * determined (three sizes for its three parameters; the bytes-to-move feature varies with
     * n on device backends).
     */
    static final int[] LINEAR_SIDES = {8, 16, 32, 64};
    /**
     * The random Max-Cut calibration graphs: {n, sweeps, mean degree}. n a factor 8, inside the
     * routing bench's QUBO sizes (50 – 2 000 variables); the work, (n + stored couplings) × sweeps,
     * 16 000 – 1.7 million (the bench's G11 at 10 – 100 sweeps: 48 000 – 480 000). The sweeps
     * alternate between 25 and 100 so that the work is not a fixed multiple of the size: an
     * OpenCL job's bytes to move grow with n and the couplings alone, and with both in step the fit
     * could not tell the two apart (calibrated at 50 sweeps throughout, the bench's QUBO jobs on
     * opencl were predicted 0.002–548× their time: {@code ./kiln bench routing --case calibration}).
     * The mean degree goes from 8 (between the G-set's toroidal G11, 4, and G14, 12) to 32
     * (between G22/G43's 20 and G1's 48, the Beasley and MIS instances' 5 – 50): the neuromorphic
     * emulator's time grows with its flips, not with every coupling, so a dense graph costs it
     * less per unit of work, and calibrated on degree 8 alone it predicted the bench's denser jobs
     * 6–22× their time.
     */
    static final int[][] QUBO_SIZES = {{64, 25, 8}, {128, 100, 8}, {256, 25, 32}, {512, 100, 32}};
    /**
     * The neuromorphic emulator's timesteps per sweep, the routing bench's ratio (its jobs: 10 –
     * 100 sweeps, 10 timesteps each). The work is then set by the counts, not by a clock or by luck.
     */
    static final int QUBO_TIMESTEPS_PER_SWEEP = 10;
    /**
     * Train calibration problems (features, classes) of a logistic model on generated data:
     * 18, 50, 130 and 322 parameters — a factor 18, from below the routing bench's smallest
     * model (breast cancer, logistic: 62) towards its digits models (650, 1 210). Two classes: a
     * tngd step costs batch × classes × parameters per device step while the features count batch
     * × parameters, and the bench's tngd jobs are binary (with 4 – 10 classes the thermodynamic
     * backend's calibration took 15 s and predicted its bench jobs 8 – 22× their time).
     */
    static final int[][] TRAIN_SHAPES = {{8, 2}, {24, 2}, {64, 2}, {160, 2}};
    /**
     * Samples of the generated data sets; a fifth is held out (the wire's default test fraction),
     * leaving 256 training rows: 4 steps per epoch at batch 64 (the wire's default batch).
     */
    static final int TRAIN_ROWS = 320;
    static final int TRAIN_BATCH = 64;
    /** Epochs per train calibration job: every epoch also evaluates both sets, so two make a run more than its evaluation. */
    static final int TRAIN_EPOCHS = 2;

    /** A calibration job and a name for the log. */
    public record Sized(String size, Job job) { }

    private CalibrationJobs() { }

    /** The linear calibration jobs, smallest first. */
    static List<Sized> linear() {
        List<Sized> out = new ArrayList<>();
        for (int side : LINEAR_SIDES) out.add(new Sized(side + "x" + side, linearJob("calibration-linear-" + side, side)));
        return out;
    }

    /**
     * The QUBO calibration jobs, smallest first: random Max-Cut graphs with weights ±1 (no edge
     * twice), which every backend's annealer runs as plain annealing — the CPU backend switches to
     * Breakout Local Search only for unit weights and adds a tabu search only when the weights
     * differ in magnitude; those searches cost per sweep what their families learn apart.
     * {@code replicas} reads: one per core is one round of reads on the CPU and the emulator.
     */
    static List<Sized> qubo(int replicas) {
        List<Sized> out = new ArrayList<>();
        for (int[] q : QUBO_SIZES) {
            out.add(new Sized("n=" + q[0] + " sweeps=" + q[1] + " degree=" + q[2], quboJob("calibration-qubo-" + q[0], q[0], q[1], q[2], replicas)));
        }
        return out;
    }

    /**
     * The train calibration jobs, smallest first, each shape once per optimizer — sgd, adam and
     * ngd (the CPU backend's) and tngd (the thermodynamic backend's) — so every backend that runs
     * train jobs finds its own; the cost model's train features do not tell optimizers apart, so a
     * backend's fit starts from the mean over those it runs.
     */
    static List<Sized> train() {
        List<Sized> out = new ArrayList<>();
        TrainOptions.Optimizer[] optimizers = {TrainOptions.Optimizer.SGD, TrainOptions.Optimizer.ADAM,
                TrainOptions.Optimizer.NGD, TrainOptions.Optimizer.TNGD};
        for (int[] shape : TRAIN_SHAPES) {
            TrainProblem p = trainProblem(shape[0], shape[1], shape[0] * 31L + shape[1]);
            for (TrainOptions.Optimizer o : optimizers) {
                out.add(new Sized(o.wireName() + " " + p.size() + " parameters",
                        trainJob("calibration-train-" + o.wireName() + "-" + p.size(), p, o)));
            }
        }
        return out;
    }

    static Job linearJob(String id, int side) {
        CsrMatrix a = PoissonGenerator.poisson2d(side, side);
        LinearProblem p = LinearProblem.of(a, PoissonGenerator.ones(a.rows()), null);
        return new Job(id, JobKind.LINEAR, null, null, p,
                new JobOptions(JobOptions.AUTO, Objective.LATENCY, 0, 1, LinearOptions.defaults()));
    }

    static Job quboJob(String id, int n, int sweeps, int degree, int replicas) {
        SplittableRandom r = new SplittableRandom(n);
        int m = n * degree / 2;
        int[] u = new int[m];
        int[] v = new int[m];
        double[] w = new double[m];
        Set<Long> seen = new HashSet<>();
        for (int e = 0; e < m; ) {
            int a = r.nextInt(n);
            int b = r.nextInt(n - 1);
            if (b >= a) b++;
            if (!seen.add((long) Math.min(a, b) * n + Math.max(a, b))) continue;
            u[e] = a;
            v[e] = b;
            w[e++] = r.nextBoolean() ? 1 : -1;
        }
        QuboProblem q = new MaxCutGraph(n, u, v, w).toQubo();
        QuboOptions d = QuboOptions.defaults();
        QuboOptions o = new QuboOptions(0, sweeps, replicas, Double.NaN, (long) QUBO_TIMESTEPS_PER_SWEEP * sweeps, d.schedule(),
                d.maxTemperature(), d.minTemperature(), d.stepsPerTemperature(), d.refractScaling());
        return new Job(id, JobKind.QUBO, null, null, q, new JobOptions(JobOptions.AUTO, Objective.LATENCY, 0, 1, o));
    }

    /**
     * A logistic model on {@link #TRAIN_ROWS} samples of {@code classes} Gaussian clusters in
     * {@code features} dimensions (centres N(0, 1), spread 1), split and standardised as the wire
     * does for a named data set.
     */
    static TrainProblem trainProblem(int features, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] centres = new double[classes * features];
        for (int i = 0; i < centres.length; i++) centres[i] = r.nextGaussian();
        double[] x = new double[TRAIN_ROWS * features];
        int[] y = new int[TRAIN_ROWS];
        for (int i = 0; i < TRAIN_ROWS; i++) {
            y[i] = i % classes;
            for (int j = 0; j < features; j++) x[i * features + j] = centres[y[i] * features + j] + r.nextGaussian();
        }
        Dataset all = Dataset.of("calibration", features, classes, x, y, "calibration");
        return TrainProblem.of(ModelSpec.logistic(), DatasetSplit.random(all, 0.2, seed).standardised(), Loss.CROSS_ENTROPY);
    }

    static Job trainJob(String id, TrainProblem p, TrainOptions.Optimizer optimizer) {
        TrainOptions d = TrainOptions.defaults();
        TrainOptions o = new TrainOptions(optimizer, TRAIN_EPOCHS, TRAIN_BATCH, d.learningRate(), d.momentum(), d.beta1(),
                d.beta2(), d.epsilon(), d.damping(), d.cgTolerance(), d.cgMaxIterations(), d.analogTime(), d.delay(), d.noise(),
                d.bits(), d.warmStart(), false);
        return new Job(id, JobKind.TRAIN, null, null, p, new JobOptions(JobOptions.AUTO, Objective.LATENCY, 0, 1, o));
    }
}
