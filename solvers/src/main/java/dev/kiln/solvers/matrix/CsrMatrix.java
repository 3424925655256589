package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A sparse matrix in compressed sparse row form: the storage every backend receives and
 * may convert to its own format (caching the conversion by {@link #fingerprint()}).
 *
 * <p>Immutable by contract: the arrays are owned by this object once built and must not
 * be changed by anyone. {@link #of} validates once (the public edge); the package-private
 * constructor is for builders that produced a valid structure themselves. Column indices
 * within a row are sorted ascending and unique.
 */
public final class CsrMatrix {
    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final double[] values;
    private volatile String fingerprint;

    CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, double[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    /**
     * Validates and wraps CSR arrays (taken over, not copied). Column indices within a row
     * must be strictly increasing; values finite.
     *
     * @throws InvalidProblemException naming the offending field and index
     */
    public static CsrMatrix of(int rows, int cols, int[] rowPtr, int[] colIdx, double[] values) {
        if (rows <= 0) throw new InvalidProblemException("rows", "must be positive, was " + rows);
        if (cols <= 0) throw new InvalidProblemException("cols", "must be positive, was " + cols);
        if (rowPtr == null) throw new InvalidProblemException("rowPtr", "is missing");
        if (colIdx == null) throw new InvalidProblemException("colIdx", "is missing");
        if (values == null) throw new InvalidProblemException("values", "is missing");
        if (rowPtr.length != rows + 1) {
            throw new InvalidProblemException("rowPtr", "length must be rows+1=" + (rows + 1L) + ", was " + rowPtr.length);
        }
        if (rowPtr[0] != 0) throw new InvalidProblemException("rowPtr[0]", "must be 0, was " + rowPtr[0]);
        int nnz = rowPtr[rows];
        if (colIdx.length != nnz) {
            throw new InvalidProblemException("colIdx", "length must equal rowPtr[rows]=" + nnz + ", was " + colIdx.length);
        }
        if (values.length != nnz) {
            throw new InvalidProblemException("values", "length must equal rowPtr[rows]=" + nnz + ", was " + values.length);
        }
        for (int i = 0; i < rows; i++) {
            int start = rowPtr[i], end = rowPtr[i + 1];
            if (end < start) {
                throw new InvalidProblemException("rowPtr[" + (i + 1) + "]", "decreases (" + end + " < " + start + ")");
            }
            if (end > nnz) {
                throw new InvalidProblemException("rowPtr[" + (i + 1) + "]", "exceeds nnz=" + nnz + " (was " + end + ")");
            }
            int prev = -1;
            for (int k = start; k < end; k++) {
                int c = colIdx[k];
                if (c < 0 || c >= cols) {
                    throw new InvalidProblemException("colIdx[" + k + "]", "column " + c + " out of range [0," + cols + ") in row " + i);
                }
                if (c <= prev) {
                    throw new InvalidProblemException("colIdx[" + k + "]",
                            "columns in row " + i + " must be strictly increasing (" + c + " after " + prev + ")");
                }
                prev = c;
                double v = values[k];
                if (!Double.isFinite(v)) {
                    throw new InvalidProblemException("values[" + k + "]", "is not finite (" + v + ") at row " + i + ", column " + c);
                }
            }
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    public int rows() { return rows; }
    public int cols() { return cols; }
    public int nnz() { return rowPtr[rows]; }
    public boolean isSquare() { return rows == cols; }

    /** Row pointers (length rows+1). Shared, not copied: read only. */
    public int[] rowPtr() { return rowPtr; }
    /** Column indices (length nnz). Shared, not copied: read only. */
    public int[] colIdx() { return colIdx; }
    /** Values (length nnz). Shared, not copied: read only. */
    public double[] values() { return values; }

    /** y = A·x; no checks (callers validated shapes at the edge). */
    public void multiply(double[] x, double[] y) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) s += values[k] * x[colIdx[k]];
            y[i] = s;
        }
    }

    /** The main diagonal (zeros where absent), length min(rows, cols). */
    public double[] diagonal() {
        int n = Math.min(rows, cols);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) {
                if (colIdx[k] == i) { d[i] = values[k]; break; }
            }
        }
        return d;
    }

    /** The last symmetry check's tolerance and answer (the matrix is immutable, so it stays true). */
    private record SymmetryCheck(double relTol, boolean symmetric) { }

    private volatile SymmetryCheck symmetry;

    /**
     * True when A equals its transpose within {@code relTol}·max|a_ij| (structure and values).
     * Every backend's {@code supports} and the CPU's method choice ask this of the same job, so
     * the answer is remembered per tolerance instead of rescanning nnz·log entries each time.
     */
    public boolean isSymmetric(double relTol) {
        SymmetryCheck c = symmetry;
        if (c != null && c.relTol() == relTol) return c.symmetric();
        boolean sym = checkSymmetric(relTol);
        symmetry = new SymmetryCheck(relTol, sym);
        return sym;
    }

    private boolean checkSymmetric(double relTol) {
        if (rows != cols) return false;
        double maxAbs = 0;
        for (double v : values) maxAbs = Math.max(maxAbs, Math.abs(v));
        double tol = relTol * maxAbs;
        for (int i = 0; i < rows; i++) {
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) {
                int j = colIdx[k];
                if (Math.abs(values[k] - get(j, i)) > tol) return false;
            }
        }
        return true;
    }

    /** a_ij by binary search in row i (0 when absent). */
    public double get(int i, int j) {
        int lo = rowPtr[i], hi = rowPtr[i + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = colIdx[mid];
            if (c < j) lo = mid + 1;
            else if (c > j) hi = mid - 1;
            else return values[mid];
        }
        return 0;
    }

    /**
     * Content hash (SHA-256 over shape, structure and values), computed once. Backends key
     * converted formats and device uploads by it; the HTTP matrix store uses it as the ref, so it
     * stays a cryptographic hash (a cheaper one would let a crafted matrix collide with another
     * job's cached conversion). The bytes hashed: rows, cols, rowPtr, colIdx (big-endian ints),
     * values (big-endian doubles).
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            try {
                MessageDigest md = sha256();
                // Arrays go to the digest in bulk views (no per-element put): the per-element loop
                // runs once per matrix, i.e. interpreted, and took 35 ms on crystm01 (1.3 MB) in a
                // cold solve (measured here: throwaway System.nanoTime harness, load 5–6); in bulk
                // the digest's own intrinsic dominates. Sized to the matrix when small.
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(FINGERPRINT_BUFFER,
                        8 + 4L * (rowPtr.length + colIdx.length) + 8L * values.length));
                buf.putInt(rows).putInt(cols);
                feed(md, buf, rowPtr);
                feed(md, buf, colIdx);
                feed(md, buf, values);
                flush(md, buf);
                f = HexFormat.of().formatHex(md.digest());
                fingerprint = f;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JDK", e);
            }
        }
        return f;
    }

    /** Bytes of the fingerprint's staging buffer (at most; less for small matrices). */
    private static final int FINGERPRINT_BUFFER = 64 * 1024;

    private static void feed(MessageDigest md, ByteBuffer buf, int[] a) {
        for (int i = 0; i < a.length; ) {
            if (buf.remaining() < Integer.BYTES) flush(md, buf);
            int len = Math.min(a.length - i, buf.remaining() / Integer.BYTES);
            buf.asIntBuffer().put(a, i, len);
            buf.position(buf.position() + len * Integer.BYTES);
            i += len;
        }
    }

    private static void feed(MessageDigest md, ByteBuffer buf, double[] a) {
        for (int i = 0; i < a.length; ) {
            if (buf.remaining() < Double.BYTES) flush(md, buf);
            int len = Math.min(a.length - i, buf.remaining() / Double.BYTES);
            buf.asDoubleBuffer().put(a, i, len);
            buf.position(buf.position() + len * Double.BYTES);
            i += len;
        }
    }

    /**
     * A fresh SHA-256 digest, cloned from a prototype: {@code MessageDigest.getInstance} walks
     * the provider list on every call, which cost more than hashing a tiny matrix (measured
     * here: JFR of {@code ./kiln bench routing --quick --case tiny}).
     */
    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return MessageDigest.getInstance("SHA-256");
        }
    }

    private static final MessageDigest SHA256;
    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void flush(MessageDigest md, ByteBuffer buf) {
        buf.flip();
        md.update(buf);
        buf.clear();
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
