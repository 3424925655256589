package dev.kiln.runtime.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BookingCorrectionTest {
    @Test
    void isTheMedianRatioOfMeasuredToPredictedOnceEnoughRunsAreIn() {
        BookingCorrection c = new BookingCorrection();
        assertEquals(1.0, c.factor("gpu"), 0, "no runs: booked work as predicted");
        c.record("gpu", 30, 10); // 3
        c.record("gpu", 10, 10); // 1
        c.record("gpu", 4, 2);   // 2
        assertEquals(1.0, c.factor("gpu"), 0, "three runs are fewer than MIN_RUNS");
        c.record("gpu", 25, 10); // 2.5 → sorted 1, 2, 2.5, 3: median (2 + 2.5) / 2
        assertEquals(2.25, c.factor("gpu"), 1e-12);
        c.record("gpu", 50, 10); // 5 → 1, 2, 2.5, 3, 5
        assertEquals(2.5, c.factor("gpu"), 1e-12);
        assertEquals(1.0, c.factor("cpu"), 0, "per backend");
    }

    @Test
    void oneSlowRunDoesNotMoveItAndItIsBounded() {
        BookingCorrection c = new BookingCorrection();
        for (int i = 0; i < 7; i++) c.record("a", 10, 10);
        c.record("a", 10_000, 10); // a GC pause: 1000×
        assertEquals(1.0, c.factor("a"), 1e-12, "median of seven 1s and one 1000");
        for (int i = 0; i < BookingCorrection.WINDOW; i++) c.record("b", 100, 1);
        assertEquals(BookingCorrection.BOUND, c.factor("b"), 0);
        for (int i = 0; i < BookingCorrection.WINDOW; i++) c.record("b", 1, 100);
        assertEquals(1 / BookingCorrection.BOUND, c.factor("b"), 0);
    }

    @Test
    void forgetsRunsOlderThanItsWindowSoACaughtUpModelIsNotCorrectedTwice() {
        BookingCorrection c = new BookingCorrection();
        for (int i = 0; i < BookingCorrection.WINDOW; i++) c.record("a", 30, 10);
        assertEquals(3.0, c.factor("a"), 1e-12);
        // The model has learned: predictions match from now on.
        for (int i = 0; i < BookingCorrection.WINDOW / 2; i++) c.record("a", 30, 30);
        assertEquals(2.0, c.factor("a"), 1e-12, "half the window each: (1 + 3) / 2");
        c.record("a", 30, 30);
        assertEquals(1.0, c.factor("a"), 1e-12, "past half the window, the median is the model's own");
    }

    @Test
    void ignoresRunsWithoutAPositiveFiniteMeasurementAndPrediction() {
        BookingCorrection c = new BookingCorrection();
        for (int i = 0; i < 8; i++) {
            c.record("a", 30, Double.NaN);
            c.record("a", 30, 0);
            c.record("a", 0, 10);
            c.record("a", Double.POSITIVE_INFINITY, 10);
        }
        assertEquals(1.0, c.factor("a"), 0);
    }
}
