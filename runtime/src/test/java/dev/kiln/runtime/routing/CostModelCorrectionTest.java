package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cost model's per-family fits and {@link SizeBucketResiduals}' correction, against
 * hand-computed values. QUBO jobs, so that no iteration model is involved: work = (n + nnz) × 1.
 */
class CostModelCorrectionTest {
    /** n variables, 4n non-zeros, one sweep: work = 5n. */
    private static Features f(long n) {
        return new Features(n, 4 * n, 1, 0, Precision.FP64);
    }

    @Test
    void aFamilysSlowRunsCorrectItsPredictionsAtThatSizeThenItsOwnFitTakesOver() {
        CostModel m = new CostModel();
        for (int rep = 0; rep < 3; rep++) {
            for (long n = 100; n <= 100_000; n *= 10) m.observe("cpu", JobKind.QUBO, "a", f(n), -1, 5.0 * n / 1000, Double.NaN);
        }
        // "c" has never run: the backend-wide fit answers, uncorrected.
        double fit = m.predict("cpu", JobKind.QUBO, "c", f(1_000)).ms();
        assertEquals(5.0, fit, 0.05 * 5.0, "ms = work / 1000");
        // Family "b" runs twice, 4× the fit, at n = 1 000 (footprint 5 000: bucket 12).
        for (int rep = 0; rep < 2; rep++) m.observe("cpu", JobKind.QUBO, "b", f(1_000), -1, 4 * fit, Double.NaN);
        // Two runs are fewer than a fit needs: the backend-wide fit (moved a little by them) answers,
        // corrected by b's residuals against it, each ln(4·fit / now): two that agree count by their mean.
        double now = m.predict("cpu", JobKind.QUBO, "c", f(1_000)).ms();
        double expected = now * Math.exp(Math.log(4 * fit / now));
        assertEquals(expected, m.predict("cpu", JobKind.QUBO, "b", f(1_000)).ms(), 1e-9 * expected);
        // Bucket 12 spans footprints 4 095…8 190: n = 1 500 (7 500) borrows the same residuals (at its own work).
        double now1500 = m.predict("cpu", JobKind.QUBO, "c", f(1_500)).ms();
        double expected1500 = now1500 * Math.exp(Math.log(4 * fit / now));
        assertEquals(expected1500, m.predict("cpu", JobKind.QUBO, "b", f(1_500)).ms(), 1e-9 * expected1500);
        // n = 10 000 (footprint 50 000, bucket 15) is three buckets away: uncorrected.
        assertEquals(m.predict("cpu", JobKind.QUBO, "c", f(10_000)).ms(), m.predict("cpu", JobKind.QUBO, "b", f(10_000)).ms(), 0);
        // b's own fit can predict after its third run, and leads once it has been scored on three
        // more and was the closer; until then the corrected backend-wide fit says the same.
        m.observe("cpu", JobKind.QUBO, "b", f(1_000), -1, 4 * fit, Double.NaN);
        double three = m.predict("cpu", JobKind.QUBO, "b", f(1_000)).ms();
        assertEquals(4 * fit, three, 1e-9 * three, "three runs: the backend-wide fit, corrected by their lower quartile in full");
        for (int rep = 0; rep < 3; rep++) m.observe("cpu", JobKind.QUBO, "b", f(1_000), -1, 4 * fit, Double.NaN);
        assertEquals(4 * fit, m.predict("cpu", JobKind.QUBO, "b", f(1_000)).ms(), 0.02 * 4 * fit);
        assertEquals(1, m.reset("cpu"));
        assertEquals(0, m.samples("cpu", JobKind.QUBO));
        assertEquals(Prediction.UNKNOWN, m.predict("cpu", JobKind.QUBO, "b", f(1_000)), "the family fits and residuals went with the reset");
    }
}
