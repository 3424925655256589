package dev.kiln.backend.cpu;

import dev.kiln.spi.conformance.ReferenceJobs;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.QuboAssembler;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketedGainsTest {

    /** Every variable is in exactly the bucket of its recomputed ΔE, and the lowest bucket is the lowest ΔE. */
    private static void assertConsistent(QuboProblem q, BucketedGains g) {
        int n = q.n();
        assertEquals(q.energy(g.x) - q.offset(), g.energy, "energy");
        int[] seen = new int[n];
        int lowestDelta = Integer.MAX_VALUE;
        for (int b = 0; b < g.buckets; b++) {
            for (int v = g.first(b); v < n; v = g.next[v]) {
                seen[v]++;
                int delta = (int) ((1 - 2 * g.x[v]) * q.localField(g.x, v));
                assertEquals(delta + g.bias, b, "variable " + v + " sits in the bucket of its ΔE");
                assertEquals(b, g.bucketOf[v]);
                lowestDelta = Math.min(lowestDelta, delta);
            }
        }
        for (int v = 0; v < n; v++) assertEquals(1, seen[v], "variable " + v + " in exactly one bucket");
        assertEquals(lowestDelta + g.bias, g.lowestBucket(), "lowest bucket");
    }

    @Test
    void bucketsMatchRecomputedGainsAfterManyRandomFlips() {
        for (long seed = 1; seed <= 3; seed++) {
            QuboProblem q = ReferenceJobs.randomQubo(40, 0.3, seed);
            BucketedGains g = new BucketedGains(q);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < q.n(); i++) g.x[i] = (byte) r.nextInt(2);
            g.load();
            assertConsistent(q, g);
            for (int step = 1; step <= 5000; step++) {
                g.flip(r.nextInt(q.n()));
                if (step % 500 == 0) assertConsistent(q, g);
            }
        }
    }

    @Test
    void bucketsMatchRecomputedGainsAlongAGreedyDescent() {
        QuboProblem q = ReferenceJobs.randomQubo(30, 0.5, 4);
        BucketedGains g = new BucketedGains(q);
        g.load(); // all zeros
        int flips = 0;
        while (g.lowestBucket() < g.bias) {
            g.flip(g.first(g.lowestBucket()));
            assertConsistent(q, g);
            flips++;
        }
        assertTrue(flips > 0, "the all-zero start of a random QUBO is not a local minimum");
    }

    @Test
    void appliesOnlyToIntegerWeights() {
        assertTrue(BucketedGains.fits(ReferenceJobs.randomQubo(10, 0.5, 5)));
        QuboAssembler a = new QuboAssembler(2, "terms");
        a.add(0, 1, 0.5);
        QuboProblem fractional = a.build(QuboProblem.Origin.QUBO);
        assertFalse(BucketedGains.fits(fractional));
        assertThrows(IllegalArgumentException.class, () -> new BucketedGains(fractional));
    }
}
