package dev.kiln.backend.cpu.kernel;

/**
 * Which ordering an IC(0) factor's PCG runs in, decided from the factor's pattern alone: the
 * level order ({@link LevelScheduledIc0#inLevelOrder}) only where the natural order's triangular
 * solves are a chain of short rows and its levels are wide, else A's own order. Deterministic,
 * so a matrix gets the same ordering in every run and at every machine load.
 *
 * <p>Why this shape. In A's own order row k of L·y = r needs y_{k−1} whenever l_{k,k−1} ≠ 0
 * ({@link #chainedRows}): the row waits one multiply-subtract, a multiply by 1/l_kk and a
 * store-to-load forward for its predecessor, and only a row with few other entries
 * ({@link #lowerPerRow}) has nothing to overlap with that wait. The level order removes the
 * chain (a level's rows are independent, {@link #rowsPerLevel} of them on average) but scatters
 * each row's neighbours, loses P·A·Pᵀ's stencil (DIA) layout for the product (Poisson 2D 512²:
 * 0.57–0.85 against 0.85–1.45 ms) and adds pool steps for levels of at least
 * {@link LevelScheduledIc0#MIN_PARALLEL_LEVEL_ROWS} rows. Measured here (throwaway harness, same
 * JVM, 31 interleaved rounds of product + apply of each ordering, minimum of each, natural / level
 * time per iteration, two JVMs at load 4.7–6; docs/ARCHITECTURE.md issue 3, "IC(0) ordering
 * choice, stable"): Poisson 2D (2.0 lower entries per row, chained 1.0) 0.96–1.20 (512²),
 * 1.03–1.09 (1024²), 1.02–1.07 (300²), 0.86–1.21 (150²), and whole solves (factor built,
 * alternating in one JVM) 1.09 median over 18 pairs on 512²; 3-D 64³ (2.95, 0.98) 0.88–1.07 and
 * its whole solves faster in A's order in 5 of 5 pairs; every matrix from the collection below 1:
 * bcsstk25 (7.7, 0.38) 0.78–0.84, msc04515 (10.3, 0.51) 0.58–0.65, bcsstk13 (20.4, 0.68)
 * 0.70–0.91, bcsstk21 (3.2, 0.00) 0.81–0.97, crystm01 (10.3, 0.00) 0.80–0.84, nos3 (7.75, 0.92)
 * 0.80–0.85, gr_30_30 (3.8, 0.97) 0.92–1.04, 1138_bus (1.28, 0.23) 0.86–0.89, bcsstk08 (5.5,
 * 0.18) 0.81–0.85. The thresholds sit in the gaps: {@link #MAX_LOWER_PER_ROW} between 2.0 and
 * 2.91, {@link #MIN_CHAINED_ROWS} between 0.68 and 0.92; {@link #MIN_ROWS_PER_LEVEL} only keeps
 * out a pattern whose levels are too narrow to run rows side by side (a tridiagonal matrix,
 * chained with one row per level, renumbers to itself and would only lose its DIA layout).
 *
 * <p>Why not the timing probe it replaces (one untimed and three timed alternating rounds of each
 * ordering, best of each): on this shared 2-core machine the two orderings differ by 10–25 % per
 * iteration on Poisson 2D, less than a round's noise, so the probe's pick varied run to run — it
 * chose the level order in 1, 1, 4, 5 and 6 of 6 repeats (and 1 of 10) in six JVMs on Poisson 2D
 * 512², and the first probe of a JVM, the one a cold solve runs, chose it in 4 of the 6
 * (docs/ARCHITECTURE.md, issue 3).
 *
 * @param rows          rows of the factor
 * @param lowerPerRow   entries of L's strict lower triangle per row
 * @param chainedRows   share of rows k &gt; 0 with l_{k,k−1} ≠ 0 (in A's own order)
 * @param rowsPerLevel  rows per level of the level order (rows / levels; 0 for no rows)
 */
public record Ic0OrderingRule(int rows, double lowerPerRow, double chainedRows, double rowsPerLevel) {
    /** At most this many strict-lower entries per row for the level order (Poisson 2D: 2.0; 3-D: 2.91–2.95). */
    public static final double MAX_LOWER_PER_ROW = 2.5;
    /** At least this share of rows chained to their predecessor (Poisson, gr_30_30, nos3: 0.92–1.0; the others ≤ 0.68). */
    public static final double MIN_CHAINED_ROWS = 0.8;
    /**
     * At least this many rows per level on average: a fraction of the narrowest level width
     * measured to gain (75, Poisson 2D 150²; 512² has 256), enough rows side by side to cover a
     * row's chain of three dependent operations with others' independent ones.
     */
    public static final double MIN_ROWS_PER_LEVEL = 16;

    public Ic0OrderingRule {
        if (rows < 0) throw new IllegalArgumentException("rows must be non-negative: " + rows);
        if (!(lowerPerRow >= 0) || Double.isInfinite(lowerPerRow)) throw new IllegalArgumentException("lowerPerRow must be finite and non-negative: " + lowerPerRow);
        if (!(chainedRows >= 0 && chainedRows <= 1)) throw new IllegalArgumentException("chainedRows must be in [0, 1]: " + chainedRows);
        if (!(rowsPerLevel >= 0) || Double.isInfinite(rowsPerLevel)) throw new IllegalArgumentException("rowsPerLevel must be finite and non-negative: " + rowsPerLevel);
    }

    /** The statistics of {@code natural}, A's factor in its own order (one pass over L's pattern). */
    public static Ic0OrderingRule of(LevelScheduledIc0 natural) {
        if (natural.ordering != LevelScheduledIc0.Ordering.NATURAL) {
            throw new IllegalArgumentException("needs the factor in A's own order, was " + natural.ordering);
        }
        return of(natural.lPtr, natural.lCol);
    }

    /** The statistics of a strict lower triangle by rows. */
    static Ic0OrderingRule of(int[] lPtr, int[] lCol) {
        int n = lPtr.length - 1;
        if (n <= 0) return new Ic0OrderingRule(0, 0, 0, 0);
        long chained = 0;
        int[] level = new int[n];
        int levels = 0;
        for (int k = 0; k < n; k++) {
            int lev = 0;
            for (int q = lPtr[k], e = lPtr[k + 1]; q < e; q++) {
                int j = lCol[q];
                if (j == k - 1) chained++;
                lev = Math.max(lev, level[j] + 1);
            }
            level[k] = lev;
            levels = Math.max(levels, lev + 1);
        }
        return new Ic0OrderingRule(n, (double) lPtr[n] / n, n > 1 ? (double) chained / (n - 1) : 0, (double) n / levels);
    }

    /**
     * {@code of(natural).prefersLevels()}, the statistics taken cheapest first and the rest
     * skipped once one fails: entries per row is a ratio ({@code lPtr[n] / n}), the chained
     * share one look at each row's last entry (columns ascend, so l_{k,k−1} can only be last),
     * and only a factor passing both pays the pass over every entry that the level widths need.
     * Why: that pass (a chain of dependent loads, one per entry of L) cost 60–73 µs on crystm01
     * (50 000 entries of L, 10.3 a row), 5–7 % of its whole 2-iteration IC(0)-PCG, paid by every
     * solve that asked the rule (measured here: throwaway harness after the kernel warm-up,
     * minima of 300–400 rounds; docs/ARCHITECTURE.md issue 3, "Small solves, fifth pass").
     */
    public static boolean prefersLevels(LevelScheduledIc0 natural) {
        if (natural.ordering != LevelScheduledIc0.Ordering.NATURAL) {
            throw new IllegalArgumentException("needs the factor in A's own order, was " + natural.ordering);
        }
        int[] lPtr = natural.lPtr, lCol = natural.lCol;
        int n = lPtr.length - 1;
        if (n <= 1) return of(lPtr, lCol).prefersLevels();             // no chain to measure
        if (!((double) lPtr[n] / n <= MAX_LOWER_PER_ROW)) return false;
        long chained = 0;
        for (int k = 1; k < n; k++) if (lPtr[k + 1] > lPtr[k] && lCol[lPtr[k + 1] - 1] == k - 1) chained++;
        if (!((double) chained / (n - 1) >= MIN_CHAINED_ROWS)) return false;
        return of(lPtr, lCol).prefersLevels();
    }

    /** Whether PCG should run in the level order: short rows, each waiting on the one before, in wide levels. */
    public boolean prefersLevels() {
        return lowerPerRow <= MAX_LOWER_PER_ROW && chainedRows >= MIN_CHAINED_ROWS && rowsPerLevel >= MIN_ROWS_PER_LEVEL;
    }
}
