package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Arrays;

/**
 * A CSR matrix rearranged on the host into SELL-C-σ for {@code sell.cl} (Kreutzer, Hager,
 * Wellein, Fehske, Bishop, SIAM J. Sci. Comput. 36(5), 2014, §2): within windows of σ rows,
 * rows are sorted by length (descending); chunks of C consecutive sorted rows are stored
 * column-major and padded to the chunk's longest row. {@code perm[slot]} is the row of a slot,
 * -1 for the padding rows that round the last chunk up to C.
 *
 * @param c        rows per chunk
 * @param sigma    sort window in rows (a multiple of c)
 * @param chunkPtr chunk k's first entry; length chunks + 1
 * @param chunkLen chunk k's width (its longest row)
 * @param cols     column of each stored entry (0 for padding)
 * @param values   value of each stored entry (0 for padding)
 * @param perm     row of each slot, chunks·c long
 * @param nnz      the matrix's non-zeros (without padding)
 */
record SellLayout(int n, int c, int sigma, int[] chunkPtr, int[] chunkLen, int[] cols, double[] values, int[] perm,
                  long nnz) {

    /**
     * Rows per chunk: 32, NVIDIA's warp (AMD's 64-wide wavefront is a multiple of it) so a
     * chunk step is one coalesced load; on a CPU device PoCL vectorises across the work-items.
     */
    static final int CHUNK = 32;

    /** σ in chunks: 32, as the CPU backend (Kreutzer et al. use σ between C and a few hundred C). */
    static final int SIGMA_CHUNKS = 32;

    /**
     * SELL-C-σ when its stored entries are at most this multiple of the non-zeros, else CSR:
     * the kernel moves padding like real entries, and Kreutzer et al. (§4) see SELL win up to
     * about this fill; the CPU backend uses the same bound (CpuKernels.SELL_MAX_FILL).
     */
    static final double MAX_FILL = 1.25;

    int chunks() { return chunkLen.length; }

    int slots() { return chunkLen.length * c; }

    /** Stored entries over non-zeros (1 = no padding). */
    double fill() { return nnz == 0 ? 1 : (double) chunkPtr[chunks()] / nnz; }

    /** Whether SELL-C-σ is the format for {@code a}: its fill with the default C and σ is at most {@link #MAX_FILL}. */
    static boolean suits(CsrMatrix a) {
        return a.nnz() > 0 && (double) storedEntries(a) / a.nnz() <= MAX_FILL;
    }

    /**
     * Per matrix object (identity, weakly held): supports(), features() and solve() of one job each
     * ask, and sorting every σ window of a large matrix each time would cost more than the answer.
     */
    private static final java.util.Map<CsrMatrix, Long> STORED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** Entries SELL-C-σ stores for {@code a} with the default C and σ (remembered per matrix). */
    static long storedEntries(CsrMatrix a) {
        return STORED.computeIfAbsent(a, m -> storedEntries(m, CHUNK, CHUNK * SIGMA_CHUNKS));
    }

    /** The fill SELL-C-σ would have, computed from row lengths only (no layout built). */
    static double sortedFill(CsrMatrix a, int c, int sigma) {
        return a.nnz() == 0 ? 1 : (double) storedEntries(a, c, sigma) / a.nnz();
    }

    /** Entries SELL-C-σ stores for {@code a}, padding included, from row lengths only. */
    static long storedEntries(CsrMatrix a, int c, int sigma) {
        int n = a.rows();
        int[] rp = a.rowPtr();
        int[] len = new int[n];
        for (int i = 0; i < n; i++) len[i] = rp[i + 1] - rp[i];
        long stored = 0;
        for (int w = 0; w < n; w += sigma) {
            int end = Math.min(n, w + sigma);
            int[] window = Arrays.copyOfRange(len, w, end);
            Arrays.sort(window); // ascending: chunks of the descending order are the tail-first runs
            for (int hi = window.length; hi > 0; hi -= c) stored += (long) window[hi - 1] * c;
        }
        return stored;
    }

    /**
     * The column indices renumbered into slots (column j becomes the slot holding row j), i.e.
     * the columns of P·A·Pᵀ: with them a solve keeps its vectors in slot order on the device.
     * Slots &lt; n hold rows 0..n-1 in some order, so slot numbers of columns are below n.
     */
    int[] slotColumns() {
        int[] slotOf = new int[n];
        for (int s = 0; s < n; s++) slotOf[perm[s]] = s;
        int[] out = new int[cols.length];
        for (int k = 0; k < cols.length; k++) out[k] = slotOf[cols[k]];
        return out;
    }

    static SellLayout of(CsrMatrix a) { return of(a, CHUNK, CHUNK * SIGMA_CHUNKS); }

    /** Builds the layout with chunk size {@code c} and sort window {@code sigma} (a multiple of c). */
    static SellLayout of(CsrMatrix a, int c, int sigma) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        int chunks = (n + c - 1) / c;
        int[] perm = new int[chunks * c];
        Arrays.fill(perm, -1);
        Integer[] window = new Integer[sigma];
        for (int w = 0; w < n; w += sigma) {
            int len = Math.min(sigma, n - w);
            for (int i = 0; i < len; i++) window[i] = w + i;
            Arrays.sort(window, 0, len, (p, q) -> Integer.compare(rp[q + 1] - rp[q], rp[p + 1] - rp[p]));
            for (int i = 0; i < len; i++) perm[w + i] = window[i];
        }
        int[] chunkLen = new int[chunks];
        int[] chunkPtr = new int[chunks + 1];
        for (int k = 0; k < chunks; k++) {
            int width = 0;
            for (int s = k * c; s < (k + 1) * c; s++) {
                int row = perm[s];
                if (row >= 0) width = Math.max(width, rp[row + 1] - rp[row]);
            }
            chunkLen[k] = width;
            chunkPtr[k + 1] = Math.addExact(chunkPtr[k], Math.multiplyExact(width, c));
        }
        int[] cols = new int[chunkPtr[chunks]];
        double[] values = new double[chunkPtr[chunks]];
        for (int k = 0; k < chunks; k++) {
            for (int lane = 0; lane < c; lane++) {
                int row = perm[k * c + lane];
                if (row < 0) continue;
                int at = chunkPtr[k] + lane;
                for (int e = rp[row]; e < rp[row + 1]; e++, at += c) {
                    cols[at] = ci[e];
                    values[at] = v[e];
                }
            }
        }
        return new SellLayout(n, c, sigma, chunkPtr, chunkLen, cols, values, perm, a.nnz());
    }
}
