package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Arrays;

/**
 * A matrix in SELL-C-σ (Kreutzer, Hager, Wellein, Fehske, Bishop, "A unified sparse matrix
 * data format for efficient general sparse matrix-vector multiplication on modern processors
 * with wide SIMD units", SIAM J. Sci. Comput. 36(5), 2014): rows in chunks of C (= the SIMD
 * width in doubles), each chunk stored column-major and padded to its longest row, so one SIMD
 * lane works on one row and a chunk step is one contiguous load of values and indices plus one
 * gather of x. Within windows of σ rows, rows are sorted by length (descending) to cut padding;
 * when the rows are already nearly equal (fill ≤ {@link #SORT_IF_FILL_ABOVE}) they are not
 * sorted at all and y is stored contiguously rather than scattered.
 *
 * <p>Padding entries have value 0 and column 0 (a valid index whose x is in cache).
 * Immutable once built; shared by concurrent solves through {@link ConversionCache}.
 */
public final class SellMatrix {
    /** Leave row order alone when unsorted chunks pad by at most 5%: the scatter would cost more. */
    static final double SORT_IF_FILL_ABOVE = 1.05;

    final int rows;
    final int c;
    final int sigma;
    final int chunks;
    final int[] chunkPtr;   // chunk k's entries start at chunkPtr[k]; length chunks+1
    final int[] chunkLen;   // columns (steps) of chunk k
    final double[] values;
    final int[] cols;
    final int[] perm;       // slot → row, length chunks·C (padded with 0); null when rows are unsorted
    final long nnz;

    private SellMatrix(int rows, int c, int sigma, int[] chunkPtr, int[] chunkLen, double[] values, int[] cols,
                       int[] perm, long nnz) {
        this.rows = rows;
        this.c = c;
        this.sigma = sigma;
        this.chunks = chunkLen.length;
        this.chunkPtr = chunkPtr;
        this.chunkLen = chunkLen;
        this.values = values;
        this.cols = cols;
        this.perm = perm;
        this.nnz = nnz;
    }

    /** Stored entries including padding, over the matrix's non-zeros (1 = no padding). */
    public double fill() { return nnz == 0 ? 1 : (double) chunkPtr[chunks] / nnz; }
    public boolean sorted() { return perm != null; }
    public int chunkSize() { return c; }
    public int sigma() { return sigma; }

    /** This matrix with fp32 values (layout shared). */
    public SellMatrixFp32 toFp32() { return new SellMatrixFp32(this); }

    /** Padding ratio SELL-C-1 would have (no sorting), computed without building it. */
    static double unsortedFill(CsrMatrix a, int c) {
        int[] rp = a.rowPtr();
        long padded = 0;
        for (int start = 0; start < a.rows(); start += c) {
            int max = 0;
            for (int i = start, end = Math.min(a.rows(), start + c); i < end; i++) max = Math.max(max, rp[i + 1] - rp[i]);
            padded += (long) max * c;
        }
        return a.nnz() == 0 ? 1 : (double) padded / a.nnz();
    }

    /** Converts A with chunk size c and sort window sigma (a multiple of c; 1 = never sort). */
    public static SellMatrix of(CsrMatrix a, int c, int sigma) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        int chunks = (n + c - 1) / c;
        int[] perm = null;
        if (sigma > 1 && unsortedFill(a, c) > SORT_IF_FILL_ABOVE) {
            perm = new int[chunks * c];
            // sort each window by row length, longest first, ties by row: one primitive sort of
            // (−length, row) packed in a long (a boxed comparator sort cost milliseconds per
            // matrix while it ran interpreted, i.e. on every first job)
            long[] window = new long[sigma];
            for (int w = 0; w < n; w += sigma) {
                int len = Math.min(sigma, n - w);
                for (int i = 0; i < len; i++) window[i] = ((long) -(rp[w + i + 1] - rp[w + i]) << 32) | (w + i);
                Arrays.sort(window, 0, len);
                for (int i = 0; i < len; i++) perm[w + i] = (int) window[i];
            }
        }
        int[] chunkLen = new int[chunks];
        int[] chunkPtr = new int[chunks + 1];
        for (int k = 0; k < chunks; k++) {
            int max = 0;
            for (int l = 0; l < c; l++) {
                int slot = k * c + l;
                if (slot >= n) break;
                int row = perm == null ? slot : perm[slot];
                max = Math.max(max, rp[row + 1] - rp[row]);
            }
            chunkLen[k] = max;
            long next = chunkPtr[k] + (long) max * c;
            if (next > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("SELL storage exceeds 2^31 entries");
            chunkPtr[k + 1] = (int) next;
        }
        double[] values = new double[chunkPtr[chunks]];
        int[] cols = new int[chunkPtr[chunks]];
        for (int k = 0; k < chunks; k++) {
            for (int l = 0; l < c; l++) {
                int slot = k * c + l;
                if (slot >= n) break;
                int row = perm == null ? slot : perm[slot];
                int off = chunkPtr[k] + l;
                for (int q = rp[row]; q < rp[row + 1]; q++, off += c) {
                    values[off] = v[q];
                    cols[off] = ci[q];
                }
            }
        }
        return new SellMatrix(n, c, perm == null ? 1 : sigma, chunkPtr, chunkLen, values, cols, perm, a.nnz());
    }
}
