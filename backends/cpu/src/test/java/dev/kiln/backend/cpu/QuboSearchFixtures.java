package dev.kiln.backend.cpu;

import java.util.SplittableRandom;

/** What the local-search tests (tabu, breakout) share: a guard that never stops a search, a seeded random start. */
final class QuboSearchFixtures {
    private QuboSearchFixtures() {}

    static final TabuSearch.Guard UNBOUNDED = new TabuSearch.Guard() {
        @Override
        public boolean proceed() { return true; }

        @Override
        public boolean improved(double bestEnergy) { return true; }
    };

    static byte[] randomStart(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] x = new byte[n];
        for (int i = 0; i < n; i++) x[i] = (byte) r.nextInt(2);
        return x;
    }
}
