package dev.kiln.runtime.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SizeBucketResidualsTest {
    /** A fit that predicts ms = work. */
    private static final SizeBucketResiduals.Fit IDENTITY = (w, b) -> Math.log(w);

    @Test
    void bucketsAreDoublingsOfTheFootprint() {
        assertEquals(0, SizeBucketResiduals.bucket(0));
        assertEquals(1, SizeBucketResiduals.bucket(1));
        assertEquals(6, SizeBucketResiduals.bucket(100)); // log2(101) = 6.66
        assertEquals(6, SizeBucketResiduals.bucket(126));
        assertEquals(7, SizeBucketResiduals.bucket(127));
    }

    @Test
    void isARobustEstimateOfTheResidualsAgainstTheFit() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        assertEquals(0, r.lnCorrection("k", 100, IDENTITY), 0, "no runs: no correction");
        r.record("k", 100, 10, 0, 20); // residual ln 2
        assertEquals(0.5 * Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12, "one slower run counts half until a second confirms it");
        r.record("fast", 100, 10, 0, 5); // −ln 2
        assertEquals(-Math.log(2), r.lnCorrection("fast", 100, IDENTITY), 1e-12, "one faster run counts in full");
        r.record("k", 110, 10, 0, 30); // ln 3: agrees with ln 2 (same sign, within a factor 2)
        assertEquals(0.5 * Math.log(6), r.lnCorrection("k", 100, IDENTITY), 1e-12, "two that agree: their mean");
        r.record("stall", 100, 10, 0, 10);  // 0
        r.record("stall", 100, 10, 0, 80);  // ln 8: does not agree with 0
        assertEquals(0, r.lnCorrection("stall", 100, IDENTITY), 1e-12, "two that disagree: the one nearer the fit");
        r.record("k", 120, 10, 0, 160); // ln 16 → ln 2, ln 3, ln 16: the lower quartile is run (3 − 1)/4 = 0 from the fastest
        assertEquals(Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        r.record("k", 100, 10, 0, 5);   // −ln 2
        r.record("k", 100, 10, 0, 30);  // ln 3 → −ln 2, ln 2, ln 3, ln 3, ln 16: run (5 − 1)/4 = 1
        assertEquals(Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        assertEquals(0, r.lnCorrection("other", 100, IDENTITY), 0, "per key");
    }

    @Test
    void isAgainstTheFitAsItIsNowSoACaughtUpFitIsNotCorrectedTwice() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        for (int i = 0; i < 3; i++) r.record("k", 100, 10, 0, 20);
        assertEquals(Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        assertEquals(0, r.lnCorrection("k", 100, (w, b) -> Math.log(2 * w)), 1e-12, "the fit now predicts ms = 2·work");
    }

    @Test
    void anEmptyBucketBorrowsTheNearestWithinReachPoolingBothSides() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        r.record("k", 100, 10, 0, 20);   // bucket 6, ln 2
        r.record("k", 100, 10, 0, 20);
        r.record("k", 100, 10, 0, 20);
        assertEquals(Math.log(2), r.lnCorrection("k", 300, IDENTITY), 1e-12, "bucket 8, two away");
        assertEquals(0, r.lnCorrection("k", 600, IDENTITY), 0, "bucket 9, three away: beyond reach");
        r.record("k", 1000, 10, 0, 80);  // bucket 9, ln 8
        // Bucket 7 (footprint 200): buckets 6 and 8 at distance 1 → only 6 has runs; bucket 8 (300): 9 at 1 away, one run, half.
        assertEquals(Math.log(2), r.lnCorrection("k", 200, IDENTITY), 1e-12);
        assertEquals(0.5 * Math.log(8), r.lnCorrection("k", 300, IDENTITY), 1e-12);
        r.record("k", 300, 10, 0, 10);   // bucket 8, residual 0 → around 7: {0, ln 2, ln 2, ln 2}: the lower quartile, run 0
        assertEquals(0, r.lnCorrection("k", 200, IDENTITY), 1e-12);
    }

    /**
     * A bucket's only run, more than 4× slower than the fit and than its neighbours' level, is taken
     * for a stall: the bucket (and those that would borrow it) borrows as if it had no run, until a
     * second run there confirms it. Less far over its neighbours (a step), or with no neighbour to
     * compare with, it counts at half as before.
     */
    @Test
    void aLoneRunFarSlowerThanItsNeighboursIsTakenForAStall() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        for (int i = 0; i < 3; i++) r.record("k", 100, 10, 0, 10);  // bucket 6: residual 0
        r.record("k", 200, 10, 0, 200);                              // bucket 7: ln 20, 20× over bucket 6's level 0
        assertEquals(0, r.lnCorrection("k", 200, IDENTITY), 1e-12, "bucket 7 borrows bucket 6's level");
        assertEquals(0, r.lnCorrection("k", 300, IDENTITY), 1e-12, "bucket 8 skips bucket 7's stall and borrows bucket 6, two away");
        r.record("k", 200, 10, 0, 200);                              // a second run as slow: ln 20 twice, their mean
        assertEquals(Math.log(SizeBucketResiduals.BOUND_FACTOR), r.lnCorrection("k", 200, IDENTITY), 1e-12, "confirmed: ln 20, bounded");

        SizeBucketResiduals step = new SizeBucketResiduals();
        for (int i = 0; i < 3; i++) step.record("k", 100, 10, 0, 40); // bucket 6: ln 4
        step.record("k", 200, 10, 0, 120);                            // bucket 7: ln 12, 3× over its neighbour
        assertEquals(0.5 * Math.log(12), step.lnCorrection("k", 200, IDENTITY), 1e-12, "within 4× of the neighbour: counts at half");

        SizeBucketResiduals alone = new SizeBucketResiduals();
        alone.record("k", 200, 10, 0, 100);                           // ln 10, no run within two buckets
        assertEquals(0.5 * Math.log(10), alone.lnCorrection("k", 200, IDENTITY), 1e-12, "no neighbour: counts at half");
    }

    /**
     * A bucket slower than the fit between two less slow neighbours is capped at the higher of them
     * (stalls, not a cache level); a step up, where the neighbour above is as slow, stands.
     */
    @Test
    void aSlowBucketBetweenTwoFasterNeighboursIsCappedAtTheHigher() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        for (int i = 0; i < 3; i++) r.record("k", 100, 10, 0, 10);  // bucket 6: 0
        for (int i = 0; i < 3; i++) r.record("k", 300, 10, 0, 12);  // bucket 8: ln 1.2
        r.record("k", 200, 10, 0, 30);                               // bucket 7: ln 3 and ln 4 agree, mean ln √12
        r.record("k", 200, 10, 0, 40);
        assertEquals(Math.log(1.2), r.lnCorrection("k", 200, IDENTITY), 1e-12, "capped at bucket 8's ln 1.2");
        for (int i = 0; i < 7; i++) r.record("k", 300, 10, 0, 40);  // bucket 8's last 8: ln 1.2 and 7 × ln 4: run 1 from the fastest, ln 4
        assertEquals(0.5 * Math.log(12), r.lnCorrection("k", 200, IDENTITY), 1e-12, "a step up: bucket 7 stands");
        assertEquals(-Math.log(SizeBucketResiduals.BOUND_FACTOR), r.lnCorrection("k", 200, (w, b) -> Math.log(w) + 5), 1e-12,
                "a fit above every run: a downward correction is not capped by the neighbours, only bounded");
    }

    @Test
    void keepsTheLastWindowOfRunsAndIsBounded() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        for (int i = 0; i < SizeBucketResiduals.WINDOW; i++) r.record("k", 100, 10, 0, 10_000); // ln 1000
        assertEquals(Math.log(SizeBucketResiduals.BOUND_FACTOR), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        for (int i = 0; i < SizeBucketResiduals.WINDOW; i++) r.record("k", 100, 10, 0, 10);
        assertEquals(0, r.lnCorrection("k", 100, IDENTITY), 1e-12, "the slow runs have left the window");
        r.record("k", 100, 10, 0, -1);
        r.record("k", 100, 10, 0, Double.NaN);
        assertEquals(0, r.lnCorrection("k", 100, IDENTITY), 1e-12, "non-positive or NaN times are ignored");
    }

    @Test
    void aRunOlderThanTheFamilysLastAgeRunsNoLongerCorrects() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        r.record("k", 100, 10, 0, 8_950); // a cold first run, 895× the fit, in bucket 6
        assertEquals(Math.log(SizeBucketResiduals.BOUND_FACTOR), r.lnCorrection("k", 100, IDENTITY), 1e-12,
                "half of ln 895, bounded");
        // The family's next runs land elsewhere (bucket 12): the bucket-6 run ages out after AGE runs in all.
        for (int i = 0; i < SizeBucketResiduals.AGE - 1; i++) r.record("k", 5_000, 10, 0, 10);
        assertEquals(Math.log(SizeBucketResiduals.BOUND_FACTOR), r.lnCorrection("k", 100, IDENTITY), 1e-12, "the 64th run");
        r.record("k", 5_000, 10, 0, 10);
        assertEquals(0, r.lnCorrection("k", 100, IDENTITY), 0, "65 runs of the family: the old run no longer counts");
    }

    @Test
    void aResetForgetsTheBackendsKeys() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        r.record("costmodel/a/linear\u0000f", 100, 10, 0, 20);
        r.record("costmodel/b/linear\u0000f", 100, 10, 0, 20);
        r.reset("costmodel/a/");
        assertEquals(0, r.lnCorrection("costmodel/a/linear\u0000f", 100, IDENTITY), 0);
        assertEquals(0.5 * Math.log(2), r.lnCorrection("costmodel/b/linear\u0000f", 100, IDENTITY), 1e-12);
    }
}
