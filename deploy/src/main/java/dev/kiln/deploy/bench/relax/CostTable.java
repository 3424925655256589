package dev.kiln.deploy.bench.relax;

/**
 * The cost (iterations, and wall time where measured) of every ω arm on every instance of a
 * sequence, plus the instance's context. Because a solve's iteration count depends only on the
 * instance and ω, a policy's total is the sum of the entries it picks: policies are replayed on
 * one table, so every policy faces exactly the same instances.
 */
record CostTable(int[][] iterations, long[][] nanos, double[] context) {
    int instances() { return iterations.length; }
    int arms() { return iterations[0].length; }

    long column(int arm) {
        long s = 0;
        for (int[] row : iterations) s += row[arm];
        return s;
    }

    int bestFixedArm() {
        int best = 0;
        for (int a = 1; a < arms(); a++) if (column(a) < column(best)) best = a;
        return best;
    }

    long instanceOptimal() {
        long s = 0;
        for (int[] row : iterations) {
            int m = Integer.MAX_VALUE;
            for (int v : row) m = Math.min(m, v);
            s += m;
        }
        return s;
    }
}
