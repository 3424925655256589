package dev.kiln.deploy.bench.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 8's regret definition, against hand-computed totals. */
class RegretTest {
    @Test
    void countsTheFirstHundredJobsApartFromTheRest() {
        Regret r = new Regret(Regret.COLD + 2);
        // First 100 jobs: backend 0 takes 1 ms, backend 1 takes 3; the router picks 1 on the first ten.
        for (int j = 0; j < Regret.COLD; j++) r.add(j, new double[] {1, 3}, j < 10 ? 1 : 0);
        // Then two jobs: 10 vs 4 ms, routed to 0 (10 where 4 was best), then 2 vs 8, routed to 0.
        r.add(Regret.COLD, new double[] {10, 4}, 0);
        r.add(Regret.COLD + 1, new double[] {2, 8}, 0);
        assertEquals(100 * ((90 + 30) / 100.0 - 1), r.coldPct(), 1e-9); // 120 routed vs 100
        assertEquals(100 * (12 / 6.0 - 1), r.warmPct(), 1e-9);          // 12 vs 6
        assertEquals(100 * ((100 + 12) / 106.0 - 1), r.alonePct(0), 1e-9);
        assertEquals(100 * ((300 + 12) / 106.0 - 1), r.alonePct(1), 1e-9);
        assertEquals(100 * ((120 + 12) / 106.0 - 1), r.curve()[Regret.COLD + 1], 1e-9);
    }

    @Test
    void withoutJobsAfterTheFirstHundredTheWarmFigureIsUndefined() {
        Regret r = new Regret(3);
        for (int j = 0; j < 3; j++) r.add(j, new double[] {1, 2}, 0);
        assertTrue(Double.isNaN(r.warmPct()));
        assertEquals(0, r.coldPct(), 0);
    }

    @Test
    void aBackendThatCannotRunAJobIsNeverItsBestAndOnlyCountsWhereItCan() {
        Regret r = new Regret(Regret.COLD + 2);
        for (int j = 0; j < Regret.COLD; j++) r.add(j, new double[] {1, 2, Double.NaN}, 0);
        // Job 100: backend 2 cannot run it (NaN); routed to 1 (4 where 3 was best).
        r.add(Regret.COLD, new double[] {3, 4, Double.NaN}, 1);
        // Job 101: only backend 2 can; routed there.
        r.add(Regret.COLD + 1, new double[] {Double.NaN, Double.NaN, 5}, 2);
        assertEquals(100 * (9 / 8.0 - 1), r.warmPct(), 1e-9);
        assertEquals(0, r.coldPct(), 0);
        // only_2: every job it can run (101) on it, the others at the table's best.
        assertEquals(100 * ((100 + 3 + 5) / 108.0 - 1), r.alonePct(2), 1e-9);
        assertEquals(100 * ((200 + 4 + 5) / 108.0 - 1), r.alonePct(1), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> r.add(0, new double[] {1, Double.NaN}, 1), "a backend that cannot run the job is never chosen");
    }
}
