package dev.kiln.runtime.routing;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AffineModelTest {
    /** A device: 3 ms launch + 0.5 ms per 10⁶ work units (bytes 0). */
    static double device(double work) {
        return 3 + 0.5 * work / 1e6;
    }

    static double[] x(double work) {
        return AffineModel.vector(work, 0);
    }

    @Test
    void firstUpdateMatchesTheNormalEquationsComputedByHand() {
        AffineModel m = new AffineModel();
        // x = (1, 0, 0), y = 2: the scaled row is (½, 0, 0) with target 1, so A₀₀ = ¼, b₀ = ½;
        // ridge ¼·10⁻⁴ + 10⁻¹²: θ₀ = ½ / (¼(1 + 10⁻⁴) + 10⁻¹²) = 1.99980002.
        double w = m.observe(x(0), 2);
        assertEquals(1.0, w, "a first sample is never an outlier");
        assertEquals(0.25, m.a[0], 0.0);
        assertEquals(0.5, m.b[0], 0.0);
        assertEquals(1.99980002, m.theta[0], 1e-8);
        assertEquals(0.0, m.theta[1], 0.0);
        assertEquals(1 / (0.25 * 1.0001 + 1e-12), m.p[0], 1e-6);
        assertEquals(1e12, m.p[4], 1.0, "an unseen feature keeps only the absolute ridge");
        assertEquals(1.99980002, m.mean(x(0)), 1e-8);
    }

    @Test
    void recoversLaunchCostAndSlopeAndPredictsBothEnds() {
        AffineModel m = new AffineModel();
        for (int rep = 0; rep < 3; rep++) {
            for (double work = 1e3; work <= 1e9; work *= 4) m.observe(x(work), device(work));
        }
        assertEquals(3.0, m.theta[0], 3e-3, "launch cost");
        assertEquals(0.5, m.theta[1], 5e-4, "ms per 10⁶ work units");
        assertEquals(device(2e3), m.mean(x(2e3)), 0.01 * device(2e3), "flat part");
        assertEquals(device(5e8), m.mean(x(5e8)), 0.01 * device(5e8), "linear part");
    }

    @Test
    void aPowerLawCannotFollowTheSameDevice() {
        // Why the affine fit exists: the best straight line in log–log space misses the device's
        // curve by more than 25 % somewhere in the range where the affine fit is within 1 %.
        LogLinearModel m = new LogLinearModel();
        for (int rep = 0; rep < 3; rep++) {
            for (double work = 1e3; work <= 1e9; work *= 4) m.observe(PerformanceModel.vector(work, 0), device(work));
        }
        double worst = 0;
        for (double work = 1e3; work <= 1e9; work *= 2) {
            worst = Math.max(worst, Math.abs(Math.log(Math.exp(m.mean(PerformanceModel.vector(work, 0))) / device(work))));
        }
        assertTrue(worst > Math.log(1.25), "worst power-law error " + Math.exp(worst));
    }

    @Test
    void oneSlowRunDoesNotPoisonTheModel() {
        AffineModel m = new AffineModel();
        Random noise = new Random(3);
        for (int i = 0; i < 60; i++) {
            double work = 1e4 * Math.pow(8, i % 5);
            m.observe(x(work), device(work) * Math.exp(0.05 * noise.nextGaussian()));
        }
        double before = m.mean(x(4e6));
        double w = m.observe(x(4e6), 1000 * device(4e6));
        double after = m.mean(x(4e6));
        assertTrue(w < 0.05, "the outlier is down-weighted, weight " + w);
        assertTrue(after / before < 1.05, "prediction moved by " + (after / before) + "×");
        assertTrue(Math.sqrt(m.sigma2) < 0.2, "σ stays near the real 5 % noise, was " + Math.sqrt(m.sigma2));
    }

    @Test
    void aNegativeInterceptNeverPredictsBelowHalfTheFastestRun() {
        AffineModel m = new AffineModel();
        // Super-linear data: the best line through it has a negative intercept.
        for (double work = 1e5; work <= 1e8; work *= 2) m.observe(x(work), Math.pow(work / 1e5, 1.5));
        assertTrue(m.theta[0] < 0, "intercept " + m.theta[0]);
        assertEquals(0.5, m.mean(x(1)), 0.0);
    }
}
