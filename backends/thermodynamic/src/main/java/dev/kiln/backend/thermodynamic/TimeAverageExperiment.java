package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.train.MatrixFreeConjugateGradient;

import java.util.SplittableRandom;

/**
 * One thermodynamic linear solve without refinement, for benchmarks: program Â = A/max|a_ij| and
 * b̂ = b/max|b| (quantised), burn in for 10/λ_min, time-average for t, and compare the average
 * with the exact solution of the programmed system (computed digitally here, for the check only —
 * the device never sees it). Only for n ≤ {@link ThermodynamicLinearSolver#EXACT_LIMIT}, where
 * the spectrum, and so the predicted error √(2κ₀·tr(Â⁻²)/t), is known.
 */
public final class TimeAverageExperiment {
    private TimeAverageExperiment() { }

    /**
     * @param observedError  ‖x̄ − Â_q⁻¹b̂_q‖₂ in device units
     * @param predictedError √(2κ₀·tr(Â_q⁻²)/t)
     * @param errorBar       the batch-means standard error the device run reports
     * @param lambdaMin      smallest eigenvalue of Â_q (relaxation time 1/λ_min in τ)
     * @param hardwareSeconds modelled device time of the run
     */
    public record Outcome(double observedError, double predictedError, double errorBar, double lambdaMin, double hardwareSeconds) { }

    /** Runs the device with the exact integrator ({@code exact}) or Euler–Maruyama. */
    public static Outcome run(CsrMatrix a, double[] b, double noise, int bits, double averagingTau, boolean exact, long seed) {
        int n = a.rows();
        if (n > ThermodynamicLinearSolver.EXACT_LIMIT) throw new IllegalArgumentException("n = " + n + " > " + ThermodynamicLinearSolver.EXACT_LIMIT);
        ProgrammedMatrix pm = ProgrammedMatrix.of(a, bits, seed);
        Quantizer q = new Quantizer(bits);
        double sb = Quantizer.maxAbs(b);
        double[] bHat = new double[n];
        for (int i = 0; i < n; i++) bHat[i] = q.apply(b[i] / sb);
        double h = ThermodynamicLinearSolver.STEP_FRACTION / pm.lambdaMax();
        OrnsteinUhlenbeckDevice reference = OrnsteinUhlenbeckDevice.exact(pm.dense(), noise, h);
        OrnsteinUhlenbeckDevice device = exact ? reference : OrnsteinUhlenbeckDevice.eulerMaruyama(pm.device()::multiply, n, noise, h);
        double burnIn = 10 / pm.lambdaMin();
        OrnsteinUhlenbeckDevice.Estimate est = device.average(bHat, null, burnIn, averagingTau, ThermodynamicLinearSolver.BATCHES,
                new SplittableRandom(seed), () -> false);
        double[] truth = MatrixFreeConjugateGradient.solve(pm.device()::multiply, bHat, null, 1e-14, 100 * n).x();
        double e = 0;
        for (int i = 0; i < n; i++) e += Math.pow(est.mean()[i] - truth[i], 2);
        double hw = DeviceModel.defaults().withBits(bits).cost(n, a.nnz() + n, burnIn + averagingTau, n).seconds();
        return new Outcome(Math.sqrt(e), reference.predictedError(averagingTau), est.standardError(), pm.lambdaMin(), hw);
    }
}
