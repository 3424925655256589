package dev.kiln.solvers.matrix;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link CsrMatrix} as Matrix Market {@code matrix coordinate real general} or
 * {@code ... symmetric} (<a href="https://math.nist.gov/MatrixMarket/formats.html">https://math.nist.gov/MatrixMarket/formats.html</a>).
 *
 * <p>Why: matrices leave Kiln (uploads echoed back, benchmark inputs, bug reports) in the one
 * format every sparse tool reads. Values are written with {@link Double#toString(double)}, the
 * shortest decimal that parses back to the same double (JDK 19+), so writing and reading with
 * {@link MatrixMarketReader} reproduces the matrix bit for bit (up to the sign of a zero
 * mirrored from the lower triangle in symmetric mode). Entries are written in CSR order,
 * 1-based; explicit zeros are kept.
 */
public final class MatrixMarketWriter {
    /** Which symmetry the file declares. */
    public enum Symmetry {
        /** Every stored entry is written. */
        GENERAL,
        /** Only the lower triangle (i ≥ j) is written; the matrix must be exactly symmetric. */
        SYMMETRIC
    }

    private static final int FLUSH_AT = 1 << 16;

    private MatrixMarketWriter() {}

    /** Writes every entry ({@code general}). The writer is flushed, not closed. */
    public static void write(CsrMatrix a, Writer out) throws IOException {
        write(a, out, Symmetry.GENERAL);
    }

    /**
     * Writes the matrix with the given symmetry. The writer is flushed, not closed.
     *
     * @throws IllegalArgumentException if SYMMETRIC is asked of a matrix that is not exactly
     *         symmetric (structure and values; see {@link #isExactlySymmetric})
     */
    public static void write(CsrMatrix a, Writer out, Symmetry symmetry) throws IOException {
        boolean sym = symmetry == Symmetry.SYMMETRIC;
        if (sym && !isExactlySymmetric(a)) {
            throw new IllegalArgumentException("cannot write " + a + " as symmetric: it is not exactly symmetric");
        }
        int rows = a.rows();
        int[] rowPtr = a.rowPtr();
        int[] colIdx = a.colIdx();
        double[] values = a.values();
        long count = 0;
        if (sym) {
            for (int i = 0; i < rows; i++) {
                for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] <= i) count++;
            }
        } else {
            count = a.nnz();
        }
        StringBuilder sb = new StringBuilder(FLUSH_AT + 128);
        sb.append("%%MatrixMarket matrix coordinate real ").append(sym ? "symmetric" : "general").append('\n');
        sb.append("% written by Kiln\n");
        sb.append(rows).append(' ').append(a.cols()).append(' ').append(count).append('\n');
        for (int i = 0; i < rows; i++) {
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) {
                int j = colIdx[k];
                if (sym && j > i) continue;
                sb.append(i + 1).append(' ').append(j + 1).append(' ').append(values[k]).append('\n');
                if (sb.length() >= FLUSH_AT) {
                    out.append(sb);
                    sb.setLength(0);
                }
            }
        }
        out.append(sb);
        out.flush();
    }

    /** Writes to a file (created or replaced), UTF-8 (the content is ASCII). */
    public static void write(CsrMatrix a, Path file, Symmetry symmetry) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(a, w, symmetry);
        }
    }

    /** The Matrix Market text of {@code a}. */
    public static String toText(CsrMatrix a, Symmetry symmetry) {
        StringWriter w = new StringWriter();
        try {
            write(a, w, symmetry);
        } catch (IOException e) {
            throw new UncheckedIOException("StringWriter cannot fail", e);
        }
        return w.toString();
    }

    /**
     * True when A is square and every stored a_ij has a stored a_ji with the same value
     * ({@code ==}): what a symmetric file can represent without changing the structure.
     */
    public static boolean isExactlySymmetric(CsrMatrix a) {
        if (!a.isSquare()) return false;
        int[] rowPtr = a.rowPtr();
        int[] colIdx = a.colIdx();
        double[] values = a.values();
        for (int i = 0; i < a.rows(); i++) {
            for (int k = rowPtr[i], end = rowPtr[i + 1]; k < end; k++) {
                int j = colIdx[k];
                if (j == i) continue;
                int t = find(rowPtr, colIdx, j, i);
                if (t < 0 || values[t] != values[k]) return false;
            }
        }
        return true;
    }

    private static int find(int[] rowPtr, int[] colIdx, int row, int col) {
        int lo = rowPtr[row], hi = rowPtr[row + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = colIdx[mid];
            if (c < col) lo = mid + 1;
            else if (c > col) hi = mid - 1;
            else return mid;
        }
        return -1;
    }
}
