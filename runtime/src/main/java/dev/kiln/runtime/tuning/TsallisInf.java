package dev.kiln.runtime.tuning;

import java.util.SplittableRandom;

/**
 * Tsallis-INF with the ½-Tsallis entropy (Zimmert and Seldin, "Tsallis-INF: An Optimal Algorithm
 * for Stochastic and Adversarial Bandits", JMLR 2021, Algorithm 1 with α = ½, learning rate
 * η_t = 2/√t, and the importance-weighted loss estimate), the bandit "Learning to Relax" runs over
 * the ω grid (Khodak et al., ICLR 2024, §3, Algorithm 1), with losses normalised to [0, 1] by
 * dividing the iteration count by the iteration cap m, as the paper does.
 *
 * <p>Kiln's tuner uses {@link UnimodalBandit}; this class is the paper's baseline, run beside it
 * by {@code ./kiln bench relax}. Not thread-safe.
 *
 * <p>Weights: w_i = 4/(η_t·(L̂_i − x))², where x &lt; min L̂ is the normaliser making Σw = 1, found by
 * Newton's method on f(x) = Σ w_i(x) − 1 (Zimmert and Seldin, §4.1: convex and increasing in x,
 * so Newton from below converges monotonically).
 */
public final class TsallisInf {
    private final double[] cumulativeLoss;
    private final double[] weights;
    private final SplittableRandom random;
    private long t;

    public TsallisInf(int k, long seed) {
        cumulativeLoss = new double[k];
        weights = new double[k];
        random = new SplittableRandom(seed);
    }

    /** The sampling distribution for round t + 1 (computed, not sampled). */
    public double[] distribution() {
        double eta = 2 / Math.sqrt(t + 1);
        int k = cumulativeLoss.length;
        double min = Double.POSITIVE_INFINITY;
        for (double l : cumulativeLoss) min = Math.min(min, l);
        // Start left of every L̂ so that each term 4/(η(L̂−x))² ≤ 1/K·... and Σw ≤ 1: x = min − 2√K/η.
        double x = min - 2 * Math.sqrt(k) / eta;
        for (int iter = 0; iter < 100; iter++) {
            double f = -1, df = 0;
            for (double l : cumulativeLoss) {
                double w = 4 / Math.pow(eta * (l - x), 2);
                f += w;
                df += 2 * w / (l - x);           // d/dx of 4(η(L−x))⁻² = 8/(η²(L−x)³) = 2w/(L−x)
            }
            double step = f / df;
            x -= step;
            if (Math.abs(step) <= 1e-12 * Math.max(1, Math.abs(x))) break;
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            weights[i] = 4 / Math.pow(eta * (cumulativeLoss[i] - x), 2);
            sum += weights[i];
        }
        for (int i = 0; i < k; i++) weights[i] /= sum; // remove Newton's last rounding
        return weights.clone();
    }

    public int choose() {
        double[] p = distribution();
        double u = random.nextDouble(), acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        return p.length - 1;
    }

    /** Feeds the loss ∈ [0, 1] of the arm played with probability {@code probability}. */
    public void update(int arm, double loss, double probability) {
        cumulativeLoss[arm] += loss / probability;
        t++;
    }

    /** The last distribution's probability of {@code arm} (valid right after {@link #choose}). */
    public double probability(int arm) { return weights[arm]; }

    public double cumulativeLoss(int arm) { return cumulativeLoss[arm]; }
}
