package dev.kiln.backend.cpu.kernel;

/**
 * A static split of rows [0, n) into parts with about equal work, fixed for a matrix's
 * lifetime so every kernel of a solve gives each thread the same rows (its slices of the
 * vectors stay in that core's cache) and results do not depend on thread timing.
 *
 * @param bounds part p covers rows [bounds[p], bounds[p+1]); length parts+1
 */
public record RowPartition(int[] bounds) {

    public int parts() { return bounds.length - 1; }
    public int start(int part) { return bounds[part]; }
    public int end(int part) { return bounds[part + 1]; }

    /**
     * Balances {@code work} (a prefix sum over units of {@code unit} rows, length units+1, e.g.
     * CSR row pointers with unit 1 or SELL chunk pointers with unit C) into {@code parts} parts
     * whose boundaries fall on unit boundaries (so SIMD chunks are never split).
     */
    public static RowPartition balanced(int n, int[] work, int unit, int parts) {
        int units = work.length - 1;
        int[] b = new int[parts + 1];
        long total = work[units];
        int u = 0;
        for (int p = 1; p < parts; p++) {
            long target = total * p / parts;
            while (u < units && work[u] < target) u++;
            b[p] = Math.min(n, u * unit);
        }
        b[parts] = n;
        for (int p = 1; p <= parts; p++) if (b[p] < b[p - 1]) b[p] = b[p - 1];
        return new RowPartition(b);
    }

    /** Equal slices of n rows, boundaries multiples of {@code align}. */
    public static RowPartition even(int n, int align, int parts) {
        int[] b = new int[parts + 1];
        for (int p = 1; p < parts; p++) b[p] = Math.min(n, (int) ((long) n * p / parts / align * align));
        b[parts] = n;
        return new RowPartition(b);
    }

    /** One part with every row (no threading). */
    public static RowPartition single(int n) {
        return new RowPartition(new int[] {0, n});
    }
}
