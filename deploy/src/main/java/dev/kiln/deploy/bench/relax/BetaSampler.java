package dev.kiln.deploy.bench.relax;

import java.util.SplittableRandom;

/**
 * Beta(a, b) variates as G_a/(G_a + G_b) of two Gamma variates (Devroye, "Non-Uniform Random
 * Variate Generation", 1986, §IX.4.1); Gamma by Marsaglia and Tsang (ACM TOMS 26(3), 2000), with
 * their boost G_a = G_{a+1}·U^{1/a} for shapes a &lt; 1 (the paper's Beta(0.5, 1.5) needs it).
 */
final class BetaSampler {
    private final double a, b;
    private final SplittableRandom random;

    BetaSampler(double a, double b, SplittableRandom random) {
        this.a = a;
        this.b = b;
        this.random = random;
    }

    double next() {
        double x = gamma(a), y = gamma(b);
        return x / (x + y);
    }

    private double gamma(double shape) {
        if (shape < 1) return gamma(shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = gaussian(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
        }
    }

    double gaussian() {
        // Box–Muller; one of the pair is enough here.
        double u = 1 - random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
