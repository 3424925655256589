package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.InvalidProblemException.Code;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a sparse matrix in the Matrix Market exchange format
 * (<a href="https://math.nist.gov/MatrixMarket/formats.html">https://math.nist.gov/MatrixMarket/formats.html</a>;
 * Boisvert, Pozo, Remington, "The Matrix Market Exchange Formats: Initial Design", NISTIR 5935, 1996).
 *
 * <p>Supported: {@code matrix coordinate} with field {@code real | double | integer | pattern} and
 * symmetry {@code general | symmetric | skew-symmetric}, and {@code matrix array} with field
 * {@code real | double | integer} and the same symmetries. {@code complex} and {@code hermitian}
 * are rejected (Kiln's matrices are real). Semantics, following the specification:
 * <ul>
 *   <li>indices are 1-based; a {@code pattern} entry has value 1;</li>
 *   <li>duplicate coordinate entries are summed (as MATLAB's {@code sparse} and SciPy do);</li>
 *   <li>{@code symmetric} files store the lower triangle (i ≥ j) and each off-diagonal entry is
 *       mirrored; {@code skew-symmetric} files store the strictly lower triangle (i &gt; j) and
 *       the mirror gets −a. An entry above the diagonal (or on it, for skew) is an error rather
 *       than being silently mirrored onto a possibly present partner;</li>
 *   <li>{@code array} data is dense and column-major; exact zeros are not stored in the CSR result;</li>
 *   <li>lines starting with {@code %} (comments) and blank lines are skipped anywhere after the banner;
 *       an entry line must hold exactly its tokens.</li>
 * </ul>
 *
 * <p>Why it is written this way: the input comes from clients ({@code PUT /v1/matrices}, the
 * {@code matrix-market} wire format), so it is hostile until proven otherwise. Declared sizes are
 * checked against {@link Limits} before anything is allocated, and storage grows with the entries
 * actually read, never from the header's promise (a header claiming 2³¹ rows or 10⁹ entries over a
 * one-line body fails fast). Every error is an {@link InvalidProblemException} whose field is
 * {@code line N} (1-based line number) and whose message says what was wrong; limits use code
 * {@link Code#TOO_LARGE}. Lines are at most {@link #MAX_LINE_LENGTH} characters (the specification
 * says 1024). Tokens are scanned in place in a char buffer (no split, no regex, no per-line
 * String); decimal numbers with at most 15 significant digits and a decimal exponent within ±22
 * are converted exactly by one IEEE multiplication or division (Clinger's fast path), the rest by
 * {@link Double#parseDouble}, so every value is correctly rounded. NaN, Infinity and values that
 * overflow are rejected.
 */
public final class MatrixMarketReader {
    /** Longest accepted line (characters, without the line terminator). */
    public static final int MAX_LINE_LENGTH = 65_535;

    /**
     * What a file may ask for.
     *
     * @param maxEntries   most entries: declared in the size line, and also after symmetric
     *                     expansion (before duplicates are summed); array files count rows·cols
     * @param maxDimension most rows and most columns
     */
    public record Limits(long maxEntries, int maxDimension) {
        /** 50 million entries (≈ 1.4 GB peak while building) and 50 million rows/columns. */
        public static final Limits DEFAULT = new Limits(50_000_000L, 50_000_000);

        public Limits {
            if (maxEntries < 0) throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
            if (maxDimension < 1 || maxDimension >= CooAssembler.MAX_ARRAY) {
                throw new IllegalArgumentException("maxDimension must be in [1, " + (CooAssembler.MAX_ARRAY - 1) + "]: " + maxDimension);
            }
        }
    }

    private MatrixMarketReader() {}

    /** Reads with {@link Limits#DEFAULT}. The reader is not closed. */
    public static CsrMatrix read(Reader in) throws IOException {
        return read(in, Limits.DEFAULT);
    }

    /** Reads the whole stream (not closed). */
    public static CsrMatrix read(Reader in, Limits limits) throws IOException {
        return new Parser(in, limits).parse();
    }

    /** Reads UTF-8 (ASCII) text with {@link Limits#DEFAULT}. The stream is not closed. */
    public static CsrMatrix read(InputStream in) throws IOException {
        return read(in, Limits.DEFAULT);
    }

    /** Reads UTF-8 (ASCII) text; the stream is not closed. */
    public static CsrMatrix read(InputStream in, Limits limits) throws IOException {
        return read(new InputStreamReader(in, StandardCharsets.UTF_8), limits);
    }

    /** Reads a file with {@link Limits#DEFAULT}. */
    public static CsrMatrix read(Path file) throws IOException {
        return read(file, Limits.DEFAULT);
    }

    public static CsrMatrix read(Path file, Limits limits) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, limits);
        }
    }

    /** Parses Matrix Market text (e.g. the wire format's {@code "text"}) with {@link Limits#DEFAULT}. */
    public static CsrMatrix parse(String text) {
        return parse(text, Limits.DEFAULT);
    }

    public static CsrMatrix parse(String text, Limits limits) {
        if (text == null) throw new InvalidProblemException("text", "is missing");
        try {
            return read(new StringReader(text), limits);
        } catch (IOException e) {
            throw new UncheckedIOException("StringReader cannot fail", e);
        }
    }

    private enum Format { COORDINATE, ARRAY }
    private enum Field { REAL, INTEGER, PATTERN }
    private enum Symmetry { GENERAL, SYMMETRIC, SKEW }

    /** 10^0 .. 10^22: every one exactly representable as a double. */
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

    /** One parse: a line scanner over a refilled char buffer, plus the grammar. */
    private static final class Parser {
        private final Reader in;
        private final Limits limits;
        private final char[] buf = new char[MAX_LINE_LENGTH + 1];
        private int pos;        // start of unconsumed data in buf
        private int lim;        // end of valid data in buf
        private int scan;       // where the search for '\n' resumes
        private boolean eof;
        private long lineNo;    // 1-based number of the current line
        private int end;        // current line is [start, end) of buf; p is the cursor in it
        private int p;

        Parser(Reader in, Limits limits) {
            if (in == null) throw new InvalidProblemException("text", "is missing");
            this.in = in;
            this.limits = limits == null ? Limits.DEFAULT : limits;
        }

        // ---- lines ------------------------------------------------------------------------

        /** Advances to the next line; false at end of input. */
        private boolean nextLine() throws IOException {
            while (true) {
                for (int i = scan; i < lim; i++) {
                    if (buf[i] == '\n') {
                        setLine(pos, i);
                        pos = scan = i + 1;
                        return true;
                    }
                }
                scan = lim;
                if (eof) {
                    if (pos < lim) {
                        setLine(pos, lim);
                        pos = scan = lim;
                        return true;
                    }
                    return false;
                }
                if (pos > 0) { // keep the partial line, make room behind it
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    lim -= pos;
                    scan -= pos;
                    pos = 0;
                }
                if (lim == buf.length) {
                    lineNo++;
                    throw error("line is longer than " + MAX_LINE_LENGTH + " characters");
                }
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) eof = true;
                else lim += n;
            }
        }

        private void setLine(int from, int to) {
            lineNo++;
            if (to > from && buf[to - 1] == '\r') to--;
            p = from;
            end = to;
        }

        /** Advances to the next line that is neither blank nor a comment; false at end of input. */
        private boolean nextContentLine() throws IOException {
            while (nextLine()) {
                skipWs();
                if (p < end && buf[p] != '%') return true;
            }
            return false;
        }

        private static boolean isWs(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void skipWs() {
            while (p < end && isWs(buf[p])) p++;
        }

        /** The token starting at {@code from}, for messages (consumes it; shortened if long). */
        private String tokenFrom(int from) {
            int e = from;
            while (e < end && !isWs(buf[e])) e++;
            p = e;
            int len = e - from;
            return len <= 40 ? new String(buf, from, len) : new String(buf, from, 37) + "...";
        }

        private InvalidProblemException error(String message) {
            return new InvalidProblemException("line " + lineNo, message);
        }

        private InvalidProblemException tooLarge(String message) {
            return new InvalidProblemException(Code.TOO_LARGE, "line " + lineNo, message);
        }

        private void expectEndOfLine(String after) {
            skipWs();
            if (p < end) {
                String extra = tokenFrom(p);
                throw error("unexpected '" + extra + "' after " + after);
            }
        }

        // ---- tokens -----------------------------------------------------------------------

        private String word() {
            skipWs();
            if (p >= end) return null;
            int from = p;
            while (p < end && !isWs(buf[p])) p++;
            return new String(buf, from, Math.min(p - from, 64));
        }

        /**
         * A size-line integer (sign allowed so that a negative count gets a precise message).
         * Saturates at Long.MAX_VALUE: anything that large is refused by the limits anyway.
         */
        private long sizeNumber(String what) {
            skipWs();
            if (p >= end) throw error("size line is missing " + what + " (expected " + sizeLineShape + ")");
            int from = p;
            boolean neg = false;
            if (buf[p] == '+' || buf[p] == '-') { neg = buf[p] == '-'; p++; }
            long v = 0;
            int digits = 0;
            while (p < end && isDigit(buf[p])) {
                int d = buf[p++] - '0';
                v = v > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : v * 10 + d;
                digits++;
            }
            if (digits == 0 || (p < end && !isWs(buf[p]))) {
                throw error(what + " '" + tokenFrom(from) + "' is not an integer");
            }
            return neg ? -v : v;
        }

        /** A 1-based index in [1, bound], returned 0-based. */
        private int index(String what, int bound) {
            skipWs();
            if (p >= end) throw error("missing " + what + " index");
            int from = p;
            boolean neg = false;
            if (buf[p] == '+' || buf[p] == '-') { neg = buf[p] == '-'; p++; }
            long v = 0;
            int digits = 0;
            while (p < end && isDigit(buf[p])) {
                if (v <= Integer.MAX_VALUE) v = v * 10 + (buf[p] - '0');
                p++;
                digits++;
            }
            if (digits == 0 || (p < end && !isWs(buf[p]))) {
                throw error(what + " index '" + tokenFrom(from) + "' is not an integer");
            }
            if (neg || v < 1 || v > bound) {
                throw error(what + " index " + new String(buf, from, Math.min(p - from, 40))
                        + " is out of range [1, " + bound + "] (Matrix Market indices are 1-based)");
            }
            return (int) v - 1;
        }

        /**
         * A decimal value: [+-]digits[.digits][(e|E|d|D)[+-]digits] (Fortran's D exponent is
         * accepted), or [+-]digits only when {@code integerOnly}. Correctly rounded; finite.
         */
        private double number(String what, boolean integerOnly) {
            skipWs();
            if (p >= end) throw error("missing " + what);
            final int from = p;
            boolean neg = false;
            if (buf[p] == '+' || buf[p] == '-') { neg = buf[p] == '-'; p++; }
            final int numFrom = p;
            if (p < end) {
                char c = buf[p];
                if (c == 'n' || c == 'N' || c == 'i' || c == 'I') {
                    throw error(what + " '" + tokenFrom(from) + "' is not finite: NaN and Infinity are not allowed");
                }
            }
            long m = 0;          // significant digits (exact while sig <= 18)
            int sig = 0;
            int exp10 = 0;
            int digits = 0;
            boolean exact = true; // false once a significant digit did not fit in m
            boolean hasFortranExp = false;
            while (p < end && isDigit(buf[p])) {
                int d = buf[p++] - '0';
                digits++;
                if (m == 0 && d == 0) continue;
                if (sig < 18) { m = m * 10 + d; sig++; } else { exact = false; exp10++; }
            }
            if (!integerOnly && p < end && buf[p] == '.') {
                p++;
                while (p < end && isDigit(buf[p])) {
                    int d = buf[p++] - '0';
                    digits++;
                    if (m == 0 && d == 0) { exp10--; continue; }
                    if (sig < 18) { m = m * 10 + d; sig++; exp10--; } else { exact = false; }
                }
            }
            if (digits == 0) throw error(what + " '" + tokenFrom(from) + "' is not a number");
            if (!integerOnly && p < end && (buf[p] == 'e' || buf[p] == 'E' || buf[p] == 'd' || buf[p] == 'D')) {
                hasFortranExp = buf[p] == 'd' || buf[p] == 'D';
                p++;
                boolean eneg = false;
                if (p < end && (buf[p] == '+' || buf[p] == '-')) { eneg = buf[p] == '-'; p++; }
                int e = 0;
                int edigits = 0;
                while (p < end && isDigit(buf[p])) {
                    if (e < 1_000_000) e = e * 10 + (buf[p] - '0');
                    p++;
                    edigits++;
                }
                if (edigits == 0) throw error(what + " '" + tokenFrom(from) + "' is not a number (empty exponent)");
                exp10 += eneg ? -e : e;
            }
            if (p < end && !isWs(buf[p])) {
                throw error(what + " '" + tokenFrom(from) + "' is not " + (integerOnly ? "an integer" : "a number"));
            }
            double v;
            if (m == 0) {
                v = 0;
            } else if (exact && sig <= 15 && exp10 >= -22 && exp10 <= 22) {
                // Clinger's fast path: m < 10^15 < 2^53 and 10^|e| are exact doubles, so one
                // correctly rounded IEEE operation gives the correctly rounded result.
                v = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
            } else {
                String s = new String(buf, numFrom, p - numFrom);
                if (hasFortranExp) s = s.replace('d', 'e').replace('D', 'e');
                v = Double.parseDouble(s); // grammar checked above: cannot throw
            }
            if (!Double.isFinite(v)) {
                throw error(what + " '" + new String(buf, from, Math.min(p - from, 40)) + "' overflows a double");
            }
            return neg ? -v : v;
        }

        // ---- grammar ----------------------------------------------------------------------

        private String sizeLineShape = "'rows cols entries'";

        CsrMatrix parse() throws IOException {
            // Banner: %%MatrixMarket matrix <format> <field> <symmetry>
            if (!nextLine()) {
                lineNo = 1;
                throw error("input is empty; expected the banner '%%MatrixMarket matrix coordinate real general'");
            }
            if (p < end && buf[p] == '\uFEFF') p++; // a UTF-8 byte-order mark
            String banner = word();
            if (!"%%MatrixMarket".equalsIgnoreCase(banner)) {
                throw error("not a Matrix Market file: the first line must start with '%%MatrixMarket', found '"
                        + (banner == null ? "" : banner) + "'");
            }
            String object = lower(word());
            if (!"matrix".equals(object)) {
                throw error("banner object must be 'matrix', was '" + nullToEmpty(object) + "'"
                        + ("vector".equals(object) ? " (vectors are not supported)" : ""));
            }
            String formatWord = lower(word());
            Format format;
            if ("coordinate".equals(formatWord)) format = Format.COORDINATE;
            else if ("array".equals(formatWord)) format = Format.ARRAY;
            else throw error("banner format must be 'coordinate' or 'array', was '" + nullToEmpty(formatWord) + "'");
            String fieldWord = lower(word());
            Field field;
            if ("real".equals(fieldWord) || "double".equals(fieldWord)) field = Field.REAL;
            else if ("integer".equals(fieldWord)) field = Field.INTEGER;
            else if ("pattern".equals(fieldWord)) field = Field.PATTERN;
            else if ("complex".equals(fieldWord)) throw error("complex matrices are not supported (field 'complex'); Kiln solves real systems");
            else throw error("banner field must be real, integer or pattern, was '" + nullToEmpty(fieldWord) + "'");
            String symWord = lower(word());
            Symmetry symmetry;
            if ("general".equals(symWord)) symmetry = Symmetry.GENERAL;
            else if ("symmetric".equals(symWord)) symmetry = Symmetry.SYMMETRIC;
            else if ("skew-symmetric".equals(symWord)) symmetry = Symmetry.SKEW;
            else if ("hermitian".equals(symWord)) throw error("hermitian matrices are not supported (they are complex); Kiln solves real systems");
            else throw error("banner symmetry must be general, symmetric or skew-symmetric, was '" + nullToEmpty(symWord) + "'");
            expectEndOfLine("the banner");
            if (format == Format.ARRAY && field == Field.PATTERN) throw error("'array pattern' is not a valid combination");
            if (symmetry == Symmetry.SKEW && field == Field.PATTERN) throw error("'pattern skew-symmetric' is not a valid combination");

            // Size line (the first line that is not a comment or blank).
            if (format == Format.ARRAY) sizeLineShape = "'rows cols'";
            if (!nextContentLine()) {
                lineNo++;
                throw error("missing size line " + sizeLineShape + ": input ends after the banner and comments");
            }
            long sizeLine = lineNo;
            long rows = sizeNumber("the number of rows");
            long cols = sizeNumber("the number of columns");
            long declared;
            if (format == Format.COORDINATE) {
                declared = sizeNumber("the number of entries");
            } else {
                declared = -1;
            }
            expectEndOfLine("the size line " + sizeLineShape);
            checkDimension("rows", rows);
            checkDimension("columns", cols);
            if (symmetry != Symmetry.GENERAL && rows != cols) {
                throw error("a " + symWord + " matrix must be square, the size line declares " + rows + "x" + cols);
            }
            if (format == Format.ARRAY) {
                declared = switch (symmetry) {
                    case GENERAL -> rows * cols;              // both <= maxDimension < 2^31: no overflow
                    case SYMMETRIC -> rows * (rows + 1) / 2;
                    case SKEW -> rows * (rows - 1) / 2;
                };
            }
            if (declared < 0) throw error("the number of entries must not be negative, was " + declared);
            if (declared > limits.maxEntries()) {
                throw tooLarge((format == Format.ARRAY ? "the array holds " : "the size line declares ") + declared
                        + " entries, more than the limit of " + limits.maxEntries());
            }

            int n = (int) rows, m = (int) cols;
            long expected = symmetry == Symmetry.GENERAL ? declared : 2 * declared;
            // Trust the header only up to a small bound: storage grows with what is really read.
            CooAssembler coo = new CooAssembler(n, m, (int) Math.min(expected, 1 << 16));
            long count = format == Format.COORDINATE
                    ? readCoordinate(coo, field, symmetry, declared, n, m, sizeLine)
                    : readArray(coo, field, symmetry, declared, n, m, sizeLine);
            if (count < declared) {
                throw new InvalidProblemException("line " + sizeLine, "the size line declares " + declared
                        + " entries but the input ends after " + count + " (at line " + lineNo + ")");
            }
            try {
                return coo.build(1);
            } catch (InvalidProblemException e) {
                // Only possible cause: duplicates whose sum overflows (each entry was finite). The
                // entries' own lines are not kept, so the fault is reported on the size line.
                throw new InvalidProblemException(e.code(), "line " + sizeLine,
                        e.getMessage().substring(e.field().length() + 2));
            }
        }

        private void checkDimension(String what, long v) {
            if (v < 1) throw error("the number of " + what + " must be positive, was " + v);
            if (v > limits.maxDimension()) {
                throw tooLarge("the number of " + what + " " + v + " exceeds the limit of " + limits.maxDimension());
            }
        }

        private void ensureRoom(CooAssembler coo, int more) {
            if (coo.size() + (long) more > limits.maxEntries()) {
                throw tooLarge("more than " + limits.maxEntries() + " entries after symmetric expansion (the limit)");
            }
        }

        private long readCoordinate(CooAssembler coo, Field field, Symmetry symmetry, long declared,
                                    int n, int m, long sizeLine) throws IOException {
            long count = 0;
            while (nextContentLine()) {
                if (count == declared) {
                    throw error("more entries than the " + declared + " declared on line " + sizeLine);
                }
                int i = index("row", n);
                int j = index("column", m);
                double v = switch (field) {
                    case PATTERN -> 1.0;
                    case INTEGER -> number("integer value", true);
                    case REAL -> number("value", false);
                };
                expectEndOfLine(field == Field.PATTERN ? "'row column' of a pattern entry" : "'row column value'");
                count++;
                switch (symmetry) {
                    case GENERAL -> {
                        ensureRoom(coo, 1);
                        coo.add(i, j, v);
                    }
                    case SYMMETRIC -> {
                        if (i < j) {
                            throw error("entry (" + (i + 1) + ", " + (j + 1) + ") lies above the diagonal; a symmetric file stores only the lower triangle");
                        }
                        ensureRoom(coo, i == j ? 1 : 2);
                        coo.add(i, j, v);
                        if (i != j) coo.add(j, i, v);
                    }
                    case SKEW -> {
                        if (i <= j) {
                            throw error("entry (" + (i + 1) + ", " + (j + 1) + ") is not below the diagonal; a skew-symmetric file stores only the strictly lower triangle");
                        }
                        ensureRoom(coo, 2);
                        coo.add(i, j, v);
                        coo.add(j, i, -v);
                    }
                }
            }
            return count;
        }

        /** Column-major dense values, one per line; general: all, symmetric: i ≥ j, skew: i &gt; j. */
        private long readArray(CooAssembler coo, Field field, Symmetry symmetry, long declared,
                               int n, int m, long sizeLine) throws IOException {
            long count = 0;
            int i = symmetry == Symmetry.SKEW ? 1 : 0, j = 0;
            while (nextContentLine()) {
                if (count == declared) {
                    throw error("more values than the " + declared + " an array of this size and symmetry holds (size on line " + sizeLine + ")");
                }
                double v = number(field == Field.INTEGER ? "integer value" : "value", field == Field.INTEGER);
                expectEndOfLine("the value (array files hold one value per line)");
                count++;
                if (v != 0) {
                    ensureRoom(coo, symmetry == Symmetry.GENERAL || i == j ? 1 : 2);
                    coo.add(i, j, v);
                    if (symmetry == Symmetry.SYMMETRIC && i != j) coo.add(j, i, v);
                    if (symmetry == Symmetry.SKEW) coo.add(j, i, -v);
                }
                if (++i == n) { // next column
                    j++;
                    i = switch (symmetry) {
                        case GENERAL -> 0;
                        case SYMMETRIC -> j;
                        case SKEW -> j + 1;
                    };
                }
            }
            return count;
        }

        private static String lower(String s) {
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        }

        private static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }
    }
}
