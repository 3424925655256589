package dev.kiln.runtime.tuning;

/**
 * Sufficient statistics of one arm's observed costs: pulls, Σcost, Σcost², Σlog(cost). Immutable;
 * {@link #plus} adds one observation. These sums are all the bandits need, and what the
 * {@code kiln.state} snapshot stores.
 */
public record ArmStats(long pulls, double sum, double sumSquares, double sumLog) {
    public static final ArmStats EMPTY = new ArmStats(0, 0, 0, 0);

    public ArmStats plus(double cost) {
        return new ArmStats(pulls + 1, sum + cost, sumSquares + cost * cost, sumLog + Math.log(Math.max(cost, 1)));
    }

    public double mean() { return pulls == 0 ? Double.NaN : sum / pulls; }

    public double meanLog() { return pulls == 0 ? Double.NaN : sumLog / pulls; }

    /** Unbiased sample variance (0 with fewer than two pulls). */
    public double variance() {
        if (pulls < 2) return 0;
        double m = mean();
        return Math.max(0, (sumSquares - pulls * m * m) / (pulls - 1));
    }
}
