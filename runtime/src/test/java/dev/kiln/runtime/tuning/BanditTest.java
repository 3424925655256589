package dev.kiln.runtime.tuning;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BanditTest {

    @Test
    void tsallisInfStartsUniform() {
        TsallisInf b = new TsallisInf(4, 1);
        for (double p : b.distribution()) assertEquals(0.25, p, 1e-12);
    }

    @Test
    void tsallisInfWeightsMatchAHandComputedUpdate() {
        // Two arms. Round 1: arm 0 played with p = 1/2 and loss 0.5 → L̂ = (1, 0).
        // Round 2: η = 2/√2 = √2; w_i = 4/(η(L̂_i − x))² = 2/(L̂_i − x)². Σw = 1 solves
        // 2/(1−x)² + 2/x² = 1; with y = −x > 0: 2/(1+y)² + 2/y² = 1 → y ≈ 2.2225 (by bisection
        // below), so w_0 = 2/(3.2225)² ≈ 0.19259, w_1 = 2/(2.2225)² ≈ 0.40489 — and Σ ≠ 1 for
        // that y alone would mean a wrong normaliser: we check the ratio w_0/w_1 = (y/(1+y))².
        TsallisInf b = new TsallisInf(2, 1);
        b.distribution();
        b.update(0, 0.5, 0.5);
        double[] p = b.distribution();
        double lo = 0.1, hi = 100;
        for (int i = 0; i < 200; i++) {
            double y = (lo + hi) / 2;
            if (2 / ((1 + y) * (1 + y)) + 2 / (y * y) > 1) lo = y; else hi = y;
        }
        double y = (lo + hi) / 2;
        assertEquals(2 / ((1 + y) * (1 + y)), p[0], 1e-9);
        assertEquals(2 / (y * y), p[1], 1e-9);
        assertEquals(1.0, p[0] + p[1], 1e-12);
    }

    @Test
    void armStatsAccumulateMeanAndVarianceExactly() {
        ArmStats s = ArmStats.EMPTY.plus(10).plus(20).plus(30);
        assertEquals(3, s.pulls());
        assertEquals(20, s.mean(), 0);
        assertEquals(100, s.variance(), 1e-9); // ((−10)² + 0 + 10²)/2
        assertEquals((Math.log(10) + Math.log(20) + Math.log(30)) / 3, s.meanLog(), 1e-12);
    }

    /** Mean cost of arm a: unimodal with the minimum at arm 13, multiplicative noise. */
    static double cost(int a, SplittableRandom r) {
        double mean = 100 + 8 * Math.pow(a - 13, 2);
        return mean * (0.7 + 0.6 * r.nextDouble());
    }

    @Test
    void unimodalBanditSettlesOnTheBestArmOfASyntheticCostTable() {
        UnimodalBandit b = new UnimodalBandit(20);
        SplittableRandom r = new SplittableRandom(42);
        int onBest = 0;
        for (int t = 0; t < 3000; t++) {
            int a = b.choose();
            if (t >= 2000 && a == 13) onBest++;
            b.update(a, cost(a, r));
        }
        assertEquals(13, b.leader());
        assertTrue(onBest > 800, "best arm pulled " + onBest + " of the last 1000 rounds");
    }

    @Test
    void unimodalBanditExploresOnlyNeighboursOfTheLeaderAfterTheOpening() {
        UnimodalBandit b = new UnimodalBandit(20);
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 3; t++) { int a = b.choose(); b.update(a, cost(a, r)); }
        for (int t = 0; t < 500; t++) {
            int lead = b.leader();
            int a = b.choose();
            assertTrue(Math.abs(a - lead) <= 1, "chose " + a + " with leader " + lead);
            b.update(a, cost(a, r));
        }
    }

    @Test
    void contextualBanditLearnsAContextDependentBestArm() {
        // Best arm is 4 for context 0 and 15 for context 1: no fixed arm is good for both.
        ContextualBandit b = new ContextualBandit(20, 3);
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 4000; t++) {
            double c = r.nextBoolean() ? 0 : 1;
            int best = c == 0 ? 4 : 15;
            ContextualBandit.Choice ch = b.choose(new double[]{c});
            int a = ch.arm();
            b.update(a, new double[]{c}, 100 + 10 * Math.abs(a - best));
        }
        assertEquals(4, b.choose(new double[]{0}).arm() / 1, 1);
        double p4 = b.predict(4, new double[]{0}), p15 = b.predict(15, new double[]{0});
        assertTrue(p4 < p15, p4 + " vs " + p15);
        double q4 = b.predict(4, new double[]{1}), q15 = b.predict(15, new double[]{1});
        assertTrue(q15 < q4, q15 + " vs " + q4);
    }
}
