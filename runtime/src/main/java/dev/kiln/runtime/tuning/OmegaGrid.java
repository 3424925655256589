package dev.kiln.runtime.tuning;

/**
 * The arms of the ω bandit: K equally spaced values in [lo, hi]. The default is the grid of
 * "Learning to Relax" (Khodak, Chow, Balcan and Talwalkar, ICLR 2024), §6 experiments:
 * linspace(1, 1.95, 20) — over-relaxation only (ω ≥ 1, where SOR's optimum lies for the
 * consistently ordered matrices of Young's theory, Saad §4.2.5), stopping short of 2 where SOR
 * stops converging.
 */
public record OmegaGrid(double lo, double hi, int arms) {
    public static final OmegaGrid PAPER = new OmegaGrid(1.0, 1.95, 20);

    public OmegaGrid {
        if (!(lo > 0 && hi < 2 && lo <= hi) || arms < 1) throw new IllegalArgumentException("bad grid " + lo + ".." + hi + " x" + arms);
    }

    public double omega(int arm) {
        return arms == 1 ? lo : lo + (hi - lo) * arm / (arms - 1);
    }

    /** The arm whose ω is nearest to {@code omega}. */
    public int nearest(double omega) {
        if (arms == 1) return 0;
        long a = Math.round((omega - lo) / (hi - lo) * (arms - 1));
        return (int) Math.max(0, Math.min(arms - 1, a));
    }
}
