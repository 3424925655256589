package dev.kiln.runtime.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplorationBudgetTest {
    @Test
    void countBoundIsBurstPlusRateTimesDecisions() {
        ExplorationBudget b = new ExplorationBudget(0.1, 2);
        b.decided();
        assertTrue(b.available()); // 0 + 1 ≤ 2 + 0.1
        b.spend();
        b.spend();
        assertFalse(b.available(), "3 > 2 + 0.1·1");
        for (int i = 0; i < 9; i++) b.decided();
        assertTrue(b.available(), "3 ≤ 2 + 0.1·10");
        assertEquals(10, b.decisions());
        assertEquals(2, b.explored());
    }

    @Test
    void sampledExplorationsMayCostAtMostRateTimesTheGreedyTime() {
        ExplorationBudget b = new ExplorationBudget(0.05, 10);
        for (int i = 0; i < 100; i++) b.greedy(10); // 1 000 ms of greedy choices: 50 ms to explore with
        assertTrue(b.affordable(50));
        assertFalse(b.affordable(50.001), "one large draw beyond 5 % of the time");
        b.spendMs(30);
        assertTrue(b.affordable(20));
        assertFalse(b.affordable(21));
        assertTrue(b.affordable(-5), "a draw predicted faster than greedy costs nothing");
        b.greedy(Double.NaN); // an unknown prediction adds nothing
        b.greedy(-1);
        assertFalse(b.affordable(21));
    }

    @Test
    void sampledExplorationsHappenOnlyOnJobsNoLargerThanTheGeometricMeanGreedyChoice() {
        ExplorationBudget b = new ExplorationBudget(0.05, 10);
        assertFalse(b.smallEnough(1), "no greedy choice yet: no mean to compare with");
        for (int i = 0; i < 3; i++) b.greedy(10);
        b.greedy(160); // geometric mean (10³ · 160)^¼ = 20
        assertTrue(b.smallEnough(19.99));
        assertFalse(b.smallEnough(20.01));
        b.greedy(Double.NaN); // not counted
        assertTrue(b.smallEnough(19.99));
        // A cold start's wild prediction (10⁶ ms) among a hundred 2 ms jobs: the arithmetic mean
        // (~10⁴ ms) would let a 50 ms job be explored on; the geometric (~2.3 ms) does not.
        ExplorationBudget c = new ExplorationBudget(0.05, 10);
        c.greedy(1e6);
        for (int i = 0; i < 100; i++) c.greedy(2);
        assertFalse(c.smallEnough(50));
        assertTrue(c.smallEnough(2));
        // Equal sizes: their sum may round below n × size; a job at the mean is still small enough.
        ExplorationBudget e = new ExplorationBudget(0.05, 10);
        for (int i = 0; i < 1_000; i++) e.greedy(0.1);
        assertTrue(e.smallEnough(0.1));
    }

    @Test
    void badSettingsAreRejectedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ExplorationBudget(1.5, 1));
        assertTrue(e.getMessage().startsWith("kiln.routing.explore-rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExplorationBudget(0.1, -1));
        assertTrue(e.getMessage().startsWith("kiln.routing.explore-burst"), e.getMessage());
    }
}
