package dev.kiln.runtime.routing;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerformanceModelTest {
    static void teach(PerformanceModel m, java.util.function.DoubleUnaryOperator time, long seed) {
        Random noise = new Random(seed);
        for (int rep = 0; rep < 4; rep++) {
            for (double work = 1e3; work <= 1e9; work *= 4) {
                m.observe(work, 0, time.applyAsDouble(work) * Math.exp(0.05 * noise.nextGaussian()), Double.NaN, Prediction.UNKNOWN);
            }
        }
    }

    @Test
    void aLaunchCostPlusLinearDeviceIsPredictedByTheAffineFit() {
        PerformanceModel m = new PerformanceModel("dev", "linear");
        teach(m, w -> 3 + 0.5 * w / 1e6, 1);
        assertEquals("affine", m.timeFit());
        assertEquals(3.0, m.predict(2e3, 0).ms(), 0.15, "the flat part");
        assertEquals(253, m.predict(5e8, 0).ms(), 0.05 * 253, "the linear part");
    }

    @Test
    void aPowerLawBackendIsPredictedByThePowerLaw() {
        PerformanceModel m = new PerformanceModel("cpu", "linear");
        teach(m, w -> 0.002 * Math.pow(w, 0.8), 2);
        assertEquals("power-law", m.timeFit());
        double truth = 0.002 * Math.pow(3e7, 0.8);
        assertEquals(truth, m.predict(3e7, 0).ms(), 0.05 * truth);
    }

    @Test
    void theChoiceSurvivesARestore() {
        PerformanceModel m = new PerformanceModel("dev", "linear");
        teach(m, w -> 3 + 0.5 * w / 1e6, 1);
        PerformanceModel r = new PerformanceModel("dev", "linear");
        r.restore(ModelStateCodec.decode(ModelStateCodec.encode(m.state())));
        assertEquals("affine", r.timeFit());
        assertEquals(m.predict(12_345, 0), r.predict(12_345, 0));
    }

    @Test
    void beyondTheWorkSeenAPowerLawScalesAtMostInProportionFromTheEdge() {
        // A backend seen only on small jobs, with a flat curve there: exponent 0.3.
        PerformanceModel m = new PerformanceModel("small-only", "linear");
        for (int rep = 0; rep < 3; rep++) {
            for (double work = 1e3; work <= 1e5; work *= 2) m.observe(work, 0, 0.1 * Math.pow(work, 0.3), Double.NaN, Prediction.UNKNOWN);
        }
        assertEquals("power-law", m.timeFit());
        double atEdge = m.predict(1.024e5, 0).ms();
        double far = m.predict(1.024e7, 0).ms();
        // The affine fit answers beyond the range (its intercept is the part that does not grow),
        // bounded by proportional growth: 100× the work is far more than 100^0.3 = 4× the time, at most 100×.
        assertTrue(far >= 20 * atEdge && far <= 100 * atEdge * 1.001, "100× the work beyond the range: " + far / atEdge + "× the time");
        double below = 0.1 * Math.pow(1e2, 0.3);
        assertEquals(below, m.predict(1e2, 0).ms(), 0.1 * below, "below the range an exponent in [0, 1] stands (less the prior's pull)");
        double inside = 0.1 * Math.pow(5e4, 0.3);
        assertEquals(inside, m.predict(5e4, 0).ms(), 0.05 * inside, "inside the range the fit stands (less the prior's pull towards 1)");
    }

    /**
     * Calibration's view of a device with a launch cost: four sizes, one run each, too few
     * scored jobs for the affine fit to lead. Beyond the sizes seen the time is still launch +
     * linear: scaling the edge's time in proportion scaled the launch cost too (2.5× too slow
     * at 30× the work), and the router sent every large burst job to a slower device.
     */
    @Test
    void beyondTheCalibratedSizesALaunchCostIsNotScaledWithTheWork() {
        PerformanceModel m = new PerformanceModel("sim-launch", "linear");
        java.util.function.DoubleUnaryOperator t = w -> 3 + 2 * w / 1e6;
        for (double work = 1e6 / 64; work <= 1e6; work *= 4) m.observe(work, 0, t.applyAsDouble(work), Double.NaN, Prediction.UNKNOWN);
        assertEquals("power-law", m.timeFit(), "calibration alone: the power law leads");
        for (double far : new double[] {3e6, 3e7}) {
            double truth = t.applyAsDouble(far);
            assertEquals(truth, m.predict(far, 0).ms(), 0.1 * truth, "at " + far);
        }
    }

    @Test
    void aSteepFitOverANarrowRangeIsNotExtrapolatedSteeply() {
        PerformanceModel m = new PerformanceModel("narrow", "linear");
        // Noise over a factor 2 of work: a cubic fit.
        for (int rep = 0; rep < 3; rep++) {
            for (double work = 1e4; work <= 2e4; work *= 1.1) m.observe(work, 0, 1e-12 * Math.pow(work, 3), Double.NaN, Prediction.UNKNOWN);
        }
        double edge = m.predict(1.95e4, 0).ms();
        assertEquals(4 * edge, m.predict(4 * 1.95e4, 0).ms(), 0.1 * 4 * edge, "4× the work: 4× the time, not 64×");
        double small = m.predict(1e4, 0).ms();
        double below = m.predict(1e3, 0).ms();
        assertTrue(below >= small / 10 * 0.99 && below <= small * 1.01, "10× less work: between a tenth and the same, was "
                + below + " vs " + small);
    }
}
