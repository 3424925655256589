package dev.kiln.deploy.bench.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8's target in {@link SyntheticWorld}: regret ≤ 10 % after the first 100 jobs, on every one
 * of the sweep's 24 seeds in the family world; in the cold (first run 30× slow) and spiky (5 % of
 * runs 5–50× slow) worlds not yet on every seed (round 6: 1 and 2 of 24 over, up to 11 % and 17 %),
 * so there the mean and the count are held where they are. No clock: the same figures on any
 * machine, about a second for the three worlds.
 */
class SyntheticWorldTest {
    private static List<Double> regrets(SyntheticWorld.Variant v) {
        List<Double> out = new ArrayList<>();
        for (long seed = 1; seed <= 24; seed++) out.add(SyntheticWorld.run(v, seed).regret());
        return out;
    }

    @Test
    void everySeedOfTheFamilyWorldIsWithinTenPercent() {
        List<Double> r = regrets(SyntheticWorld.Variant.FAMILY);
        assertTrue(r.stream().allMatch(x -> x <= 0.10), "regret per seed " + r);
    }

    @Test
    void theColdWorldsMeanIsWithinFivePercentWithAtMostOneSeedOverTen() {
        assertMeanAndCount(SyntheticWorld.Variant.COLD, 1);
    }

    @Test
    void theSpikyWorldsMeanIsWithinFivePercentWithAtMostTwoSeedsOverTen() {
        assertMeanAndCount(SyntheticWorld.Variant.SPIKY, 2);
    }

    private static void assertMeanAndCount(SyntheticWorld.Variant v, long maxOver) {
        List<Double> r = regrets(v);
        double mean = r.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        long over = r.stream().filter(x -> x > 0.10).count();
        assertTrue(mean <= 0.05 && over <= maxOver, v + ": mean " + mean + ", " + over + " seeds over 10 %: " + r);
    }
}
