package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.train.DirectionSolver;
import dev.kiln.solvers.train.LinearOperator;
import dev.kiln.solvers.train.Network;

import java.util.SplittableRandom;

/**
 * TNGD's direction (Donatella et al., "Thermodynamic natural gradient descent", arXiv
 * 2405.13817, 2024, §4, Algorithm 1): each step the digital side computes the gradient g and
 * the curvature (here as Gauss–Newton products, the matrix-free form of the paper's factors);
 * the device is programmed with A = F + λI and b = g and runs
 * dx = −(A·x − b)·dt + N(0, 2κ₀·dt) (their Eq. 15 and 22) for analog time t; the state x(t) is
 * read out and the optimiser steps θ ← θ − η·x. The dynamics start from the previous step's
 * x (warm start; the first step from x₀ = g, so t = 0 is plain SGD and t → ∞ exact NGD, §4).
 * A delay t_d (§5) lets the device keep integrating the previous step's system for t_d before
 * the new one is programmed — the lag a real loop has while the digital side computes.
 *
 * <p>Programming: the curvature goes to the device as its factor U (F = UᵀU, B·C × p values,
 * {@link Network.Pass#curvatureFactor}), as the paper's device holds it (§4: the Fisher is never formed as a
 * p×p matrix), scaled by max|U| and quantised to the device bits; the device's drift is then
 * −((ÛᵀÛ + λI)x − ĝ). λ is one programmed value and is kept exact. When the factor would exceed
 * {@link #MAX_FACTOR_VALUES} (a Fashion-MNIST MLP: 64·10·10⁵ values) the simulator applies F
 * matrix-free and unquantised instead, and the result counts those steps. A is then scaled by a
 * power-iteration estimate of λ_max(F + λI) so the device's fastest mode has rate 1/τ (a
 * conductance range is finite), b by max|g| and quantised. The read-out is quantised (ADC).
 * The simulation is Euler–Maruyama with h = 0.1τ, as the paper's own (§5).
 */
final class ThermodynamicDirection implements DirectionSolver {
    /** EM step in τ at unit λ_max (the paper's h = 0.1τ, §5). */
    static final double STEP_TAU = 0.1;
    /** Power iterations for λ_max: more on the first step, then a warm-started few. */
    static final int POWER_FIRST = 10, POWER_WARM = 3;

    private final DeviceModel device;
    private final double analogTime, delay;
    private final boolean warmStart;
    private final double factorValues;
    private final Quantizer quant;
    private final SplittableRandom rnd;

    private double[] previous;           // last direction, parameter units
    private LinearOperator previousOp;
    private double previousScaleA, previousScaleG;
    private double[] previousGHat;
    private double[] eigenvector;
    private DeviceModel.Cost cost = DeviceModel.Cost.ZERO;
    private double[] factor;             // U of the current step, quantised in place
    private long quantisedSteps, unquantisedSteps;

    /**
     * Largest curvature factor the simulator forms (values; 32 MiB of doubles). A simulation budget, not a
     * device figure: beyond it the factor's B·C per-sample backward passes and its memory dominate a run.
     */
    static final long MAX_FACTOR_VALUES = 1L << 22;

    /**
     * @param factorValues numbers programmed per step for the curvature (batch rows × classes ×
     *                     parameters for the Jacobian factors, capped at parameters²)
     */
    ThermodynamicDirection(DeviceModel device, double analogTime, double delay, boolean warmStart, double factorValues, long seed) {
        this.device = device;
        this.analogTime = analogTime;
        this.delay = delay;
        this.warmStart = warmStart;
        this.factorValues = factorValues;
        this.quant = new Quantizer(device.bits());
        this.rnd = new SplittableRandom(seed);
    }

    DeviceModel.Cost cost() { return cost; }

    /** Steps whose curvature was programmed as quantised factors / applied exactly (factor too large to simulate). */
    long quantisedSteps() { return quantisedSteps; }

    long unquantisedSteps() { return unquantisedSteps; }

    /** Programs the batch's curvature factor, quantised to the device bits, and lets the device relax on it. */
    @Override
    public Direction solve(Network.Pass pass, double damping, double[] g) {
        int p = g.length, rowsC = pass.logits().length;
        long values = (long) rowsC * p;
        if (values > MAX_FACTOR_VALUES) {
            unquantisedSteps++;
            return DirectionSolver.super.solve(pass, damping, g);
        }
        if (factor == null || factor.length < values) factor = new double[(int) values];
        double[] u = factor;
        pass.curvatureFactor(u);
        double sU = 0;
        for (int i = 0; i < values; i++) sU = Math.max(sU, Math.abs(u[i]));
        if (sU > 0) for (int i = 0; i < values; i++) u[i] = quant.apply(u[i] / sU) * sU;
        double[] ux = new double[rowsC];
        LinearOperator programmed = (x, y) -> {
            for (int r = 0; r < rowsC; r++) ux[r] = dot(u, r * p, x, p);
            for (int k = 0; k < p; k++) y[k] = damping * x[k];
            for (int r = 0; r < rowsC; r++) {
                double t = ux[r];
                if (t == 0) continue;
                int o = r * p;
                for (int k = 0; k < p; k++) y[k] += u[o + k] * t;
            }
        };
        quantisedSteps++;
        return solve(programmed, g);
    }

    @Override
    public Direction solve(LinearOperator a, double[] g) {
        int p = g.length;
        int ops = 0;
        // λ_max(F + λI) by power iteration (Golub & Van Loan §8.2.1), warm-started across steps.
        if (eigenvector == null) {
            eigenvector = g.clone();
        }
        double[] w = new double[p];
        double lmax = 0;
        for (int it = 0; it < (ops == 0 && previous == null ? POWER_FIRST : POWER_WARM); it++) {
            double nv = SpectrumEstimate.norm(eigenvector);
            if (nv == 0) { eigenvector[0] = 1; nv = 1; }
            SpectrumEstimate.scale(eigenvector, 1 / nv);
            a.apply(eigenvector, w);
            lmax = SpectrumEstimate.dot(eigenvector, w);
            System.arraycopy(w, 0, eigenvector, 0, p);
            ops++;
        }
        double sA = lmax > 0 ? lmax : 1;
        double sG = Quantizer.maxAbs(g);
        if (sG == 0) return new Direction(new double[p], ops, 0, Double.NaN);
        double[] gHat = new double[p];
        for (int i = 0; i < p; i++) gHat[i] = quant.apply(g[i] / sG);

        double[] start = warmStart && previous != null ? previous : g;
        if (delay > 0 && previousOp != null) {
            // The device is still integrating the previous system while the new one is computed.
            OrnsteinUhlenbeckDevice old = device(previousOp, previousScaleA, p);
            double[] xOld = scaled(start, previousScaleA / previousScaleG);
            xOld = old.evolve(previousGHat, xOld, delay, rnd);
            ops += (int) Math.round(delay / STEP_TAU);
            start = scaled(xOld, previousScaleG / previousScaleA);
        }
        double[] xHat = scaled(start, sA / sG);
        if (analogTime > 0) {
            xHat = device(a, sA, p).evolve(gHat, xHat, analogTime, rnd);
            ops += (int) Math.round(analogTime / STEP_TAU);
        }
        double sX = Quantizer.maxAbs(xHat);
        double[] x = new double[p];
        for (int i = 0; i < p; i++) x[i] = (sX == 0 ? 0 : quant.apply(xHat[i] / sX) * sX) * sG / sA;

        previous = x;
        previousOp = a;
        previousScaleA = sA;
        previousScaleG = sG;
        previousGHat = gHat;
        DeviceModel.Cost step = device.cost(p, Math.min(factorValues, (double) p * p) + p, analogTime + delay, p);
        cost = cost.plus(step);
        return new Direction(x, ops, step.seconds(), Double.NaN);
    }

    /**
     * Σ_k u[o+k]·x[k] with four independent sums: the simulator's hot loop (a row of the factor per
     * product), which the JIT does not vectorise as one serial sum.
     */
    private static double dot(double[] u, int o, double[] x, int p) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < p; k += 4) {
            s0 += u[o + k] * x[k];
            s1 += u[o + k + 1] * x[k + 1];
            s2 += u[o + k + 2] * x[k + 2];
            s3 += u[o + k + 3] * x[k + 3];
        }
        for (; k < p; k++) s0 += u[o + k] * x[k];
        return (s0 + s1) + (s2 + s3);
    }

    private OrnsteinUhlenbeckDevice device(LinearOperator a, double sA, int p) {
        LinearOperator scaled = (v, y) -> {
            a.apply(v, y);
            for (int i = 0; i < y.length; i++) y[i] /= sA;
        };
        return OrnsteinUhlenbeckDevice.eulerMaruyama(scaled, p, device.noise(), STEP_TAU);
    }

    private static double[] scaled(double[] v, double s) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i] * s;
        return o;
    }
}
