package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.QuboProblem;

import java.util.SplittableRandom;

/** Small generated instances and brute force, for tests. */
final class QuboTestInstances {
    private QuboTestInstances() { }

    /** A random QUBO with integer weights in [-9, 9] on about {@code density} of the pairs. */
    static QuboProblem random(int n, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        QuboAssembler a = new QuboAssembler(n, "terms");
        for (int i = 0; i < n; i++) {
            a.add(i, i, r.nextInt(-9, 10));
            for (int j = i + 1; j < n; j++) if (r.nextDouble() < density) a.add(i, j, r.nextInt(-9, 10));
        }
        return a.build(QuboProblem.Origin.QUBO);
    }

    /** A random graph with weights ±1 or 1..5. */
    static MaxCutGraph randomGraph(int n, double density, long seed, boolean signed) {
        SplittableRandom r = new SplittableRandom(seed);
        java.util.List<int[]> es = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (r.nextDouble() < density) es.add(new int[] {i, j});
        int[] u = new int[es.size()], v = new int[es.size()];
        double[] w = new double[es.size()];
        for (int e = 0; e < es.size(); e++) {
            u[e] = es.get(e)[0];
            v[e] = es.get(e)[1];
            w[e] = signed ? (r.nextBoolean() ? 1 : -1) : r.nextInt(1, 6);
        }
        return MaxCutGraph.of(n, u, v, w, "edges");
    }

    static byte[] bits(long mask, int n) {
        byte[] x = new byte[n];
        for (int i = 0; i < n; i++) x[i] = (byte) ((mask >>> i) & 1);
        return x;
    }

    /** Σ over all (i, j) of Q entries, straight from the definition E = Σᵢ aᵢxᵢ + Σ_{i<j} bᵢⱼxᵢxⱼ. */
    static double bruteEnergy(QuboProblem q, byte[] x) {
        double e = q.offset();
        for (int i = 0; i < q.n(); i++) {
            e += q.linear()[i] * x[i];
            for (int k = q.rowPtr()[i]; k < q.rowPtr()[i + 1]; k++) e += 0.5 * q.coupling()[k] * x[i] * x[q.colIdx()[k]];
        }
        return e;
    }

    /** The minimum energy by enumeration (n ≤ 24). */
    static double bruteMinimum(QuboProblem q) {
        double best = Double.POSITIVE_INFINITY;
        for (long m = 0; m < 1L << q.n(); m++) best = Math.min(best, q.energy(bits(m, q.n())));
        return best;
    }
}
