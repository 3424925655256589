package dev.kiln.deploy.bench.routing;

/**
 * Issue 8's regret of a routed run against the oracle: 100 × (routed total ÷ oracle total − 1),
 * where a job's routed time is the oracle table's time of the backend the router chose and the
 * oracle's time is the table's best; over the first {@link #COLD} jobs and over the rest. A
 * row's NaN entries are backends that cannot run the job: never the best, never chosen.
 */
final class Regret {
    /** Regret is reported over the first 100 jobs and after them (issue 8's definition). */
    static final int COLD = 100;

    private final double[] curve;
    private double routedCold, oracleCold, routedWarm, oracleWarm, routedAll, oracleAll;
    /**
     * Per backend, the table's total had every job it can run gone there and the others to the
     * table's best (the only_* figures: the policy "always b where b can").
     */
    private double[] alone;

    Regret(int jobs) {
        this.curve = new double[jobs];
    }

    /** Job j with its table row (ms per backend, NaN where it cannot run) and the backend the router chose. */
    void add(int j, double[] row, int chosen) {
        if (!Double.isFinite(row[chosen])) throw new IllegalArgumentException("job " + j + ": the chosen backend " + chosen + " has no time in the row");
        double best = Double.POSITIVE_INFINITY;
        for (double t : row) if (Double.isFinite(t)) best = Math.min(best, t);
        if (alone == null) alone = new double[row.length];
        for (int b = 0; b < row.length; b++) alone[b] += Double.isFinite(row[b]) ? row[b] : best;
        if (j < COLD) {
            routedCold += row[chosen];
            oracleCold += best;
        } else {
            routedWarm += row[chosen];
            oracleWarm += best;
        }
        routedAll += row[chosen];
        oracleAll += best;
        curve[j] = 100 * (routedAll / oracleAll - 1);
    }

    /** Over the jobs after the first {@link #COLD}; NaN when there are none. */
    double warmPct() { return oracleWarm == 0 ? Double.NaN : 100 * (routedWarm / oracleWarm - 1); }

    /** Over the first {@link #COLD} jobs; NaN when there are none. */
    double coldPct() { return oracleCold == 0 ? Double.NaN : 100 * (routedCold / oracleCold - 1); }

    /** The oracle's total over every job added, ms. */
    double oracleMs() { return oracleAll; }

    /** Regret had every job gone to backend b. */
    double alonePct(int b) { return 100 * (alone[b] / oracleAll - 1); }

    /** Cumulative regret (%) after each job. */
    double[] curve() { return curve; }
}
