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
    void isTheShrunkMedianResidualAgainstTheFit() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        assertEquals(0, r.lnCorrection("k", 100, IDENTITY), 0, "no runs: no correction");
        r.record("k", 100, 10, 0, 20); // residual ln 2
        assertEquals(0.5 * Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12, "one run moves it half way: m/(m+1) = 1/2");
        r.record("k", 110, 10, 0, 40); // ln 4
        r.record("k", 120, 10, 0, 10); // 0 → sorted 0, ln 2, ln 4: median ln 2, × 3/4
        assertEquals(0.75 * Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        r.record("k", 100, 10, 0, 5);  // −ln 2 → −ln 2, 0, ln 2, ln 4: median (0 + ln 2)/2, × 4/5
        assertEquals(0.8 * 0.5 * Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        assertEquals(0, r.lnCorrection("other", 100, IDENTITY), 0, "per key");
    }

    @Test
    void isAgainstTheFitAsItIsNowSoACaughtUpFitIsNotCorrectedTwice() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        for (int i = 0; i < 3; i++) r.record("k", 100, 10, 0, 20);
        assertEquals(0.75 * Math.log(2), r.lnCorrection("k", 100, IDENTITY), 1e-12);
        assertEquals(0, r.lnCorrection("k", 100, (w, b) -> Math.log(2 * w)), 1e-12, "the fit now predicts ms = 2·work");
    }

    @Test
    void anEmptyBucketBorrowsTheNearestWithinReachPoolingBothSides() {
        SizeBucketResiduals r = new SizeBucketResiduals();
        r.record("k", 100, 10, 0, 20);   // bucket 6, ln 2
        r.record("k", 100, 10, 0, 20);
        r.record("k", 100, 10, 0, 20);
        assertEquals(0.75 * Math.log(2), r.lnCorrection("k", 300, IDENTITY), 1e-12, "bucket 8, two away");
        assertEquals(0, r.lnCorrection("k", 600, IDENTITY), 0, "bucket 9, three away: beyond reach");
        r.record("k", 1000, 10, 0, 80);  // bucket 9, ln 8
        // Bucket 7 (footprint 200): buckets 6 and 8 at distance 1 → only 6 has runs; bucket 8 (300): 9 at 1 away.
        assertEquals(0.75 * Math.log(2), r.lnCorrection("k", 200, IDENTITY), 1e-12);
        assertEquals(0.5 * Math.log(8), r.lnCorrection("k", 300, IDENTITY), 1e-12);
        // Bucket 7 and 8 empty: from bucket 7, 6 is at 1; from a bucket between 6 and 9 at equal distance, both pool:
        // none here (6 and 9 are 3 apart), so check pooling at distance 1 around bucket 7 with a run in 8.
        r.record("k", 300, 10, 0, 10);   // bucket 8, residual 0 → around 7: {ln2, ln2, ln2, 0}: median ln 2, × 4/5
        assertEquals(0.8 * Math.log(2), r.lnCorrection("k", 200, IDENTITY), 1e-12);
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
