package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;

import java.util.Arrays;

/**
 * Accumulates (row, column, value) triplets and builds a {@link CsrMatrix} with rows in
 * order, columns ascending within each row and duplicates summed.
 *
 * <p>Why: readers (Matrix Market, the {@code coo} wire format) and generators produce entries
 * in whatever order they come; CSR wants them sorted and unique (Saad, "Iterative Methods
 * for Sparse Linear Systems", 2nd ed., §3.4, COO and CSR storage). {@link #add} trusts its
 * indices (the caller validated them at its own edge, with its own error locations);
 * {@link #fromCoo} is the validating edge for raw arrays.
 *
 * <p>Storage grows geometrically as entries arrive, so a caller never has to trust a
 * declared count to size it. {@link #build()} is a stable counting sort by row followed by a
 * stable sort of each row by column, so duplicates are summed in the order they were added
 * (the result is deterministic). Peak memory during {@code build} is about 28 bytes per entry
 * plus 8 bytes per row. Not thread-safe.
 */
public final class CooAssembler {
    /** The largest array length every JVM allows. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int INSERTION_SORT_MAX = 32;

    private final int rows;
    private final int cols;
    private int[] ri;
    private int[] ci;
    private double[] vs;
    private int size;

    /** An empty assembler for a rows×cols matrix. */
    public CooAssembler(int rows, int cols) {
        this(rows, cols, 16);
    }

    /**
     * An empty assembler for a rows×cols matrix with room for {@code initialCapacity}
     * entries before it grows (a hint; pass a bounded value, not an untrusted count).
     *
     * @throws InvalidProblemException if a dimension is not positive or too large for CSR
     */
    public CooAssembler(int rows, int cols, int initialCapacity) {
        checkDimension("rows", rows);
        checkDimension("cols", cols);
        int cap = Math.max(1, Math.min(initialCapacity, MAX_ARRAY));
        this.rows = rows;
        this.cols = cols;
        this.ri = new int[cap];
        this.ci = new int[cap];
        this.vs = new double[cap];
    }

    /** Wraps validated arrays without copying (they are only read). */
    private CooAssembler(int rows, int cols, int[] ri, int[] ci, double[] vs) {
        this.rows = rows;
        this.cols = cols;
        this.ri = ri;
        this.ci = ci;
        this.vs = vs;
        this.size = ri.length;
    }

    private static void checkDimension(String field, int n) {
        if (n <= 0) throw new InvalidProblemException(field, "must be positive, was " + n);
        if (n >= MAX_ARRAY) {
            throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, field,
                    n + " is too large for CSR storage (row pointers need " + n + "+1 ints)");
        }
    }

    public int rows() { return rows; }
    public int cols() { return cols; }

    /** Number of triplets added so far (duplicates counted separately). */
    public int size() { return size; }

    /**
     * Adds a_{row,col} += value. Indices are 0-based and must already be in range (checked
     * only by {@code assert}); a non-finite value is caught by {@link #build()}.
     *
     * @throws InvalidProblemException (TOO_LARGE) if more than ~2³¹ triplets are added
     */
    public void add(int row, int col, double value) {
        assert row >= 0 && row < rows && col >= 0 && col < cols : "(" + row + "," + col + ") outside " + rows + "x" + cols;
        if (size == ri.length) grow();
        ri[size] = row;
        ci[size] = col;
        vs[size] = value;
        size++;
    }

    private void grow() {
        if (size >= MAX_ARRAY) {
            throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, "entries",
                    "more than " + MAX_ARRAY + " entries do not fit in CSR arrays");
        }
        int cap = (int) Math.min(MAX_ARRAY, Math.max(16L, 2L * ri.length));
        ri = Arrays.copyOf(ri, cap);
        ci = Arrays.copyOf(ci, cap);
        vs = Arrays.copyOf(vs, cap);
    }

    /**
     * Builds the CSR matrix: rows sorted, columns ascending within rows, duplicates summed
     * (explicit zeros are kept as structural entries). The assembler stays usable.
     *
     * @throws InvalidProblemException (field {@code values}) if an entry, or the sum of the
     *         duplicates at one position, is NaN or infinite
     */
    public CsrMatrix build() {
        return build(0);
    }

    /** {@link #build()}, with error messages giving indices from {@code indexBase} (readers of 1-based formats). */
    CsrMatrix build(int indexBase) {
        final int nnz = size;
        // 1. Stable counting sort by row (Saad §3.4's COO→CSR conversion).
        int[] rowPtr = new int[rows + 1];
        for (int k = 0; k < nnz; k++) rowPtr[ri[k] + 1]++;
        for (int i = 0; i < rows; i++) rowPtr[i + 1] += rowPtr[i];
        int[] colIdx = new int[nnz];
        double[] values = new double[nnz];
        int[] next = Arrays.copyOf(rowPtr, rows); // insertion cursor per row
        for (int k = 0; k < nnz; k++) {
            int dst = next[ri[k]]++;
            colIdx[dst] = ci[k];
            values[dst] = vs[k];
        }
        next = null;
        // 2. Stable sort of each row by column (most inputs arrive already sorted: skip those).
        long[] keys = null;
        double[] tmp = null;
        for (int i = 0; i < rows; i++) {
            int start = rowPtr[i], end = rowPtr[i + 1];
            if (isSorted(colIdx, start, end)) continue;
            int len = end - start;
            if (len <= INSERTION_SORT_MAX) {
                insertionSort(colIdx, values, start, end);
            } else {
                if (keys == null || keys.length < len) {
                    keys = new long[len];
                    tmp = new double[len];
                }
                // Key = column·2³² + position in the row: a primitive sort that is stable.
                for (int k = 0; k < len; k++) keys[k] = ((long) colIdx[start + k] << 32) | k;
                Arrays.sort(keys, 0, len);
                for (int k = 0; k < len; k++) tmp[k] = values[start + (int) keys[k]];
                for (int k = 0; k < len; k++) {
                    colIdx[start + k] = (int) (keys[k] >>> 32);
                    values[start + k] = tmp[k];
                }
            }
        }
        // 3. Sum duplicates in place (they are now adjacent) and check every result is finite.
        int w = 0;
        for (int i = 0; i < rows; i++) {
            int start = rowPtr[i], end = rowPtr[i + 1];
            int rowStart = w;
            for (int k = start; k < end; k++) {
                int c = colIdx[k];
                if (w > rowStart && colIdx[w - 1] == c) {
                    values[w - 1] += values[k];
                } else {
                    colIdx[w] = c;
                    values[w] = values[k];
                    w++;
                }
            }
            for (int k = rowStart; k < w; k++) {
                if (!Double.isFinite(values[k])) {
                    throw new InvalidProblemException("values", "entry at row " + (i + indexBase) + ", column "
                            + (colIdx[k] + indexBase) + " (" + indexBase + "-based) is not finite (" + values[k]
                            + ") after summing duplicates");
                }
            }
            rowPtr[i] = rowStart;
        }
        rowPtr[rows] = w;
        if (w < nnz) {
            colIdx = Arrays.copyOf(colIdx, w);
            values = Arrays.copyOf(values, w);
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    private static boolean isSorted(int[] a, int start, int end) {
        for (int k = start + 1; k < end; k++) if (a[k - 1] > a[k]) return false;
        return true;
    }

    private static void insertionSort(int[] cols, double[] vals, int start, int end) {
        for (int k = start + 1; k < end; k++) {
            int c = cols[k];
            double v = vals[k];
            int m = k - 1;
            while (m >= start && cols[m] > c) { // strict: equal columns keep their order
                cols[m + 1] = cols[m];
                vals[m + 1] = vals[m];
                m--;
            }
            cols[m + 1] = c;
            vals[m + 1] = v;
        }
    }

    /**
     * Validates raw COO arrays (0-based; the wire format's {@code coo} matrix) and builds the
     * CSR matrix, duplicates summed. The arrays are read, not kept or changed.
     *
     * @throws InvalidProblemException naming the field, e.g. {@code row[5]}, {@code col[5]},
     *         {@code values[5]}, {@code col} (length mismatch)
     */
    public static CsrMatrix fromCoo(int rows, int cols, int[] row, int[] col, double[] values) {
        checkDimension("rows", rows);
        checkDimension("cols", cols);
        if (row == null) throw new InvalidProblemException("row", "is missing");
        if (col == null) throw new InvalidProblemException("col", "is missing");
        if (values == null) throw new InvalidProblemException("values", "is missing");
        if (col.length != row.length) {
            throw new InvalidProblemException("col", "length " + col.length + " does not match row length " + row.length);
        }
        if (values.length != row.length) {
            throw new InvalidProblemException("values", "length " + values.length + " does not match row length " + row.length);
        }
        for (int k = 0; k < row.length; k++) {
            checkIndex("row", k, row[k], rows);
            checkIndex("col", k, col[k], cols);
            if (!Double.isFinite(values[k])) {
                throw new InvalidProblemException("values[" + k + "]", "is not finite (" + values[k] + ")");
            }
        }
        return new CooAssembler(rows, cols, row, col, values).build();
    }

    private static void checkIndex(String name, int k, int v, int bound) {
        if (v < 0) {
            throw new InvalidProblemException(name + "[" + k + "]", "must not be negative (indices are 0-based), was " + v);
        }
        if (v >= bound) {
            throw new InvalidProblemException(name + "[" + k + "]", "index " + v + " out of range [0," + bound + ")");
        }
    }
}
