package dev.kiln.spi;

import java.util.Locale;

/**
 * Options of a train job (wire format v1, {@code options} of {@code kind: train}). Defaults
 * are in {@link #defaults()}; the wire reader documents each field.
 *
 * @param optimizer       sgd | adam | ngd | tngd | tngd-adam
 * @param epochs          passes over the training set
 * @param batchSize       samples per step
 * @param learningRate    step size η; NaN means the optimiser's default ({@link #learningRateOrDefault()})
 * @param momentum        heavy-ball momentum μ for sgd, ngd and tngd (0 = none)
 * @param beta1           Adam's first-moment decay (adam, tngd-adam)
 * @param beta2           Adam's second-moment decay
 * @param epsilon         Adam's denominator guard
 * @param damping         λ in (F + λI)·d = g (ngd, tngd, tngd-adam)
 * @param cgTolerance     relative residual at which ngd's CG stops
 * @param cgMaxIterations CG iteration budget per ngd step
 * @param analogTime      tngd: analog time t the device runs per step, in device time constants τ
 * @param delay           tngd: delay t_d in τ during which the device keeps integrating the previous step's system
 * @param noise           tngd: device noise variance κ₀ (in units of the programmed dynamic range)
 * @param bits            tngd: DAC/ADC precision of the values programmed into and read from the device
 * @param warmStart       tngd: start each step's dynamics from the previous step's direction (the first from g)
 * @param returnWeights   whether the answer carries the final parameters
 */
public record TrainOptions(Optimizer optimizer, int epochs, int batchSize, double learningRate, double momentum,
                           double beta1, double beta2, double epsilon, double damping, double cgTolerance,
                           int cgMaxIterations, double analogTime, double delay, double noise, int bits,
                           boolean warmStart, boolean returnWeights) implements KindOptions {

    /** The optimisers of wire format v1. */
    public enum Optimizer {
        SGD, ADAM, NGD, TNGD, TNGD_ADAM;

        public String wireName() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        public static Optimizer fromWire(String s) {
            for (Optimizer o : values()) if (o.wireName().equals(s)) return o;
            return null;
        }

        /** Whether the natural-gradient direction comes from the analog thermodynamic device. */
        public boolean thermodynamic() { return this == TNGD || this == TNGD_ADAM; }
    }

    /**
     * Defaults: 10 epochs of 64-sample batches; Adam's β₁ = 0.9, β₂ = 0.999, ε = 1e-8
     * (Kingma & Ba 2015, Alg. 1); damping 0.1 and CG to 1e-4 in at most 50 iterations (tuned on
     * digits, see docs/ARCHITECTURE.md "Train jobs"); t = 20 τ, where the TNGD paper found
     * TNGD close to NGD on MNIST (Donatella et al. 2024, §5); κ₀ = 1e-3, below the 0.01 under
     * which the paper saw no effect of noise; 16-bit values (an assumption, see the
     * thermodynamic backend's DeviceModel).
     */
    public static TrainOptions defaults() {
        return new TrainOptions(Optimizer.ADAM, 10, 64, Double.NaN, 0.0, 0.9, 0.999, 1e-8, 0.1, 1e-4, 50,
                20.0, 0.0, 1e-3, 16, true, false);
    }

    /**
     * η, or the optimiser's default: 0.1 for sgd, 0.001 for adam and tngd-adam (Kingma & Ba's
     * default), 0.3 for ngd and tngd (the best of {0.1, 0.3, 1} on digits with damping 0.1).
     */
    public double learningRateOrDefault() {
        if (!Double.isNaN(learningRate)) return learningRate;
        return switch (optimizer) {
            case SGD -> 0.1;
            case ADAM, TNGD_ADAM -> 0.001;
            case NGD, TNGD -> 0.3;
        };
    }
}
