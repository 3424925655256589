package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IC(0) ordering rule: its statistics are exact on patterns whose counts are known, it picks
 * the level order for Poisson 2D only among the measured kinds, sits where its thresholds say,
 * and rejects what is not a statistic. No timing anywhere: the same pattern, the same answer.
 */
class Ic0OrderingRuleTest {
    private static LevelScheduledIc0 natural(CsrMatrix a) {
        return LevelScheduledIc0.of(a, 1, 1, LevelScheduledIc0.Ordering.NATURAL);
    }

    @Test
    void poisson2dHasItsCountedStatisticsAndPrefersTheLevelOrder() {
        int nx = 40;
        Ic0OrderingRule r = Ic0OrderingRule.of(natural(PoissonGenerator.poisson2d(nx, nx)));
        int n = nx * nx;
        assertEquals(n, r.rows());
        assertEquals(2.0 * nx * (nx - 1) / n, r.lowerPerRow(), 1e-15);          // west and south neighbours
        assertEquals((double) (n - nx) / (n - 1), r.chainedRows(), 1e-15);      // all but each grid line's first row
        assertEquals((double) n / (2 * nx - 1), r.rowsPerLevel(), 1e-12);       // anti-diagonals
        assertTrue(r.prefersLevels(), r.toString());
    }

    @Test
    void poisson3dAndTheCollectionsMatricesKeepTheirOwnOrder() {
        int nx = 12;
        Ic0OrderingRule p3 = Ic0OrderingRule.of(natural(PoissonGenerator.poisson3d(nx, nx, nx)));
        assertEquals(3.0 * (nx - 1) / nx, p3.lowerPerRow(), 1e-15);
        assertFalse(p3.prefersLevels(), p3.toString());
        // measured faster in their own order (Ic0OrderingRule's comment): lower entries per row
        // 7.75 and 3.8, and 1138_bus chained only 0.23
        for (String name : new String[] {"nos3", "gr_30_30", "1138_bus"}) {
            Ic0OrderingRule r = Ic0OrderingRule.of(natural(TestMatrices.fixture(name)));
            assertFalse(r.prefersLevels(), name + ": " + r);
        }
        Ic0OrderingRule bus = Ic0OrderingRule.of(natural(TestMatrices.fixture("1138_bus")));
        assertTrue(bus.lowerPerRow() <= Ic0OrderingRule.MAX_LOWER_PER_ROW && bus.chainedRows() < Ic0OrderingRule.MIN_CHAINED_ROWS, bus.toString());
    }

    @Test
    void aChainWithOneRowPerLevelKeepsItsOwnOrder() {
        Ic0OrderingRule r = Ic0OrderingRule.of(natural(PoissonGenerator.poisson2d(300, 1)));   // tridiagonal
        assertEquals(1.0, r.chainedRows());
        assertEquals(1.0, r.rowsPerLevel());
        assertFalse(r.prefersLevels(), r.toString());
        Ic0OrderingRule one = Ic0OrderingRule.of(natural(PoissonGenerator.poisson2d(1, 1)));
        assertEquals(new Ic0OrderingRule(1, 0, 0, 1), one);
        assertFalse(one.prefersLevels());
    }

    @Test
    void theThresholdsAreInclusiveAndEachIsNeeded() {
        double lower = Ic0OrderingRule.MAX_LOWER_PER_ROW, chained = Ic0OrderingRule.MIN_CHAINED_ROWS,
                width = Ic0OrderingRule.MIN_ROWS_PER_LEVEL;
        assertTrue(new Ic0OrderingRule(1000, lower, chained, width).prefersLevels());
        assertFalse(new Ic0OrderingRule(1000, Math.nextUp(lower), chained, width).prefersLevels());
        assertFalse(new Ic0OrderingRule(1000, lower, Math.nextDown(chained), width).prefersLevels());
        assertFalse(new Ic0OrderingRule(1000, lower, chained, Math.nextDown(width)).prefersLevels());
    }

    @Test
    void whatIsNotAStatisticIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(-1, 2, 1, 20));
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(10, Double.NaN, 1, 20));
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(10, -0.5, 1, 20));
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(10, 2, 1.5, 20));
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(10, 2, Double.NaN, 20));
        assertThrows(IllegalArgumentException.class, () -> new Ic0OrderingRule(10, 2, 1, Double.POSITIVE_INFINITY));
        CsrMatrix a = PoissonGenerator.poisson2d(20, 20);
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(natural(a), a, 1);
        assertThrows(IllegalArgumentException.class, () -> Ic0OrderingRule.of(levels));
    }

    @Test
    void theShortCutAnswersAsTheWholeRuleWhicheverStatisticDecides() {
        java.util.List<CsrMatrix> shapes = new java.util.ArrayList<>(java.util.List.of(
                PoissonGenerator.poisson2d(40, 40),              // passes all three
                PoissonGenerator.poisson3d(12, 12, 12),          // too many entries a row
                TestMatrices.fixture("1138_bus"),                // short rows, not chained
                PoissonGenerator.poisson2d(300, 1),              // short, chained, one row a level
                TestMatrices.fixture("nos3"), TestMatrices.fixture("gr_30_30"),
                KernelWarmUp.irregularSpd(600, 6, 1), KernelWarmUp.irregularSpd(500, 1, 2),
                PoissonGenerator.poisson2d(1, 1), PoissonGenerator.poisson2d(2, 1)));
        // level widths n/(nx+ny−1) on both sides of MIN_ROWS_PER_LEVEL, and chained shares on both sides of MIN_CHAINED_ROWS
        for (int ny = 2; ny <= 40; ny += 3) shapes.add(PoissonGenerator.poisson2d(33, ny));
        for (int nx = 2; nx <= 8; nx++) shapes.add(PoissonGenerator.poisson2d(nx, 200));
        int[] seen = new int[2];
        for (CsrMatrix a : shapes) {
            LevelScheduledIc0 f = natural(a);
            boolean whole = Ic0OrderingRule.of(f).prefersLevels();
            assertEquals(whole, Ic0OrderingRule.prefersLevels(f), a.rows() + " rows: " + Ic0OrderingRule.of(f));
            seen[whole ? 1 : 0]++;
        }
        assertTrue(seen[0] > 0 && seen[1] > 0, "both answers among the shapes: " + java.util.Arrays.toString(seen));
        CsrMatrix a = PoissonGenerator.poisson2d(20, 20);
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(natural(a), a, 1);
        assertThrows(IllegalArgumentException.class, () -> Ic0OrderingRule.prefersLevels(levels));
    }

    @Test
    void theCacheFollowsTheRuleAndConvertsOnlyWhenItRenumbers() {
        CsrMatrix p2 = PoissonGenerator.poisson2d(60, 62), p3 = PoissonGenerator.poisson3d(14, 13, 12);
        LevelScheduledIc0 n2 = natural(p2), n3 = natural(p3);
        CpuKernels.prepare(p3);
        int before = ConversionCache.shared().size();
        assertSame(n3, Ic0Cache.chosen(n3, p3));
        assertEquals(before, ConversionCache.shared().size(), "P·A·Pᵀ converted for a matrix kept in its own order");
        for (int i = 0; i < 3; i++) {
            assertEquals(LevelScheduledIc0.Ordering.LEVELS, Ic0Cache.chosen(n2, p2).ordering(), "call " + i);
        }
    }
}
