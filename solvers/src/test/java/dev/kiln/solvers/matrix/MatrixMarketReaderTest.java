package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.InvalidProblemException.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixMarketReaderTest {

    static CsrMatrix fixture(String name) throws IOException {
        try (InputStream in = MatrixMarketReaderTest.class.getResourceAsStream("/matrices/" + name)) {
            assertNotNull(in, "fixture " + name);
            return MatrixMarketReader.read(in);
        }
    }

    /** Parses {@code text}, expects failure, checks the field names the line and the message says why. */
    static InvalidProblemException rejects(String text, String line, String messagePart) {
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> MatrixMarketReader.parse(text));
        assertEquals(line, e.field(), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(messagePart.toLowerCase(Locale.ROOT)),
                () -> "message '" + e.getMessage() + "' should contain '" + messagePart + "'");
        return e;
    }

    // ---- real SuiteSparse matrices --------------------------------------------------------

    @Test
    void nos3ExpandsItsLowerTriangleToTheCollectionsNonzeroCount() throws IOException {
        CsrMatrix a = fixture("nos3.mtx");
        assertEquals(960, a.rows());
        assertEquals(960, a.cols());
        assertEquals(15844, a.nnz());
        assertTrue(a.isSymmetric(0.0));
        assertEquals(86.86781, a.get(0, 0));
        assertEquals(-17.463532, a.get(2, 0));
        assertEquals(-17.463532, a.get(0, 2), "mirrored from the lower triangle");
        assertEquals(-21.716953, a.get(0, 42));
        assertEquals(66.094725, a.get(959, 959));
        assertEquals(-17.857143, a.get(958, 959));
    }

    @Test
    void gr3030IsTheNinePointStencilOnA30By30Grid() throws IOException {
        CsrMatrix a = fixture("gr_30_30.mtx");
        assertEquals(900, a.rows());
        assertEquals(7744, a.nnz());
        assertTrue(a.isSymmetric(0.0));
        for (double d : a.diagonal()) assertEquals(8.0, d);
        int interior = 31 + 30 * 5; // grid node (x=2, y=6), 0-based row 181
        assertEquals(9, a.rowPtr()[interior + 1] - a.rowPtr()[interior]);
        double sum = 0;
        for (int k = a.rowPtr()[interior]; k < a.rowPtr()[interior + 1]; k++) sum += a.values()[k];
        assertEquals(0.0, sum);
        assertEquals(-1.0, a.get(1, 0));
        assertEquals(-1.0, a.get(0, 31));
    }

    @Test
    void bus1138SkipsItsCommentHeaderAndReadsShortDecimals() throws IOException {
        CsrMatrix a = fixture("1138_bus.mtx");
        assertEquals(1138, a.rows());
        assertEquals(4054, a.nnz());
        assertTrue(a.isSymmetric(0.0));
        assertEquals(1474.779, a.get(0, 0));
        assertEquals(-9.017133, a.get(4, 0));
        assertEquals(-9.017133, a.get(0, 4));
        assertEquals(10000.0, a.get(1136, 1136));
        assertEquals(117.647, a.get(1137, 1137));
    }

    // ---- hand-written fixtures ------------------------------------------------------------

    @Test
    void patternEntriesBecomeOnesInANonSquareMatrix() throws IOException {
        CsrMatrix a = fixture("pattern_general.mtx");
        assertEquals(3, a.rows());
        assertEquals(4, a.cols());
        assertArrayEquals(new int[] {0, 2, 3, 5}, a.rowPtr());
        assertArrayEquals(new int[] {0, 3, 1, 0, 2}, a.colIdx());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, a.values());
    }

    @Test
    void integerValuesAreReadAndTheirDuplicatesSummed() throws IOException {
        CsrMatrix a = fixture("integer_general.mtx");
        assertEquals(4, a.nnz());
        assertEquals(8.0, a.get(0, 0));
        assertEquals(-3.0, a.get(1, 0));
        assertEquals(12.0, a.get(1, 1));
        assertEquals(-100000.0, a.get(2, 2));
    }

    @Test
    void skewSymmetricEntriesAreMirroredWithTheirSignFlipped() throws IOException {
        CsrMatrix a = fixture("skew_symmetric.mtx");
        assertEquals(6, a.nnz());
        assertEquals(1.5, a.get(1, 0));
        assertEquals(-1.5, a.get(0, 1));
        assertEquals(-2.25, a.get(2, 0));
        assertEquals(2.25, a.get(0, 2));
        assertEquals(0.5, a.get(3, 2));
        assertEquals(-0.5, a.get(2, 3));
        for (double d : a.diagonal()) assertEquals(0.0, d);
    }

    @Test
    void patternSymmetricMirrorsOffDiagonalEntriesOnly() {
        CsrMatrix a = MatrixMarketReader.parse("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n");
        assertEquals(3, a.nnz());
        assertEquals(1.0, a.get(0, 1));
        assertEquals(1.0, a.get(1, 0));
        assertEquals(0.0, a.get(1, 1));
    }

    @Test
    void arrayGeneralIsReadColumnMajorAndDropsZeros() {
        CsrMatrix a = MatrixMarketReader.parse("""
                %%MatrixMarket matrix array real general
                % 2x3, column-major
                2 3
                1.0
                4.0
                0
                5.0
                3.0
                -6.0
                """);
        assertEquals(2, a.rows());
        assertEquals(3, a.cols());
        assertEquals(5, a.nnz());
        assertEquals(1.0, a.get(0, 0));
        assertEquals(4.0, a.get(1, 0));
        assertEquals(0.0, a.get(0, 1));
        assertEquals(5.0, a.get(1, 1));
        assertEquals(3.0, a.get(0, 2));
        assertEquals(-6.0, a.get(1, 2));
    }

    @Test
    void arraySymmetricReadsTheLowerTriangleByColumns() {
        CsrMatrix a = MatrixMarketReader.parse("%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n");
        assertEquals(1.0, a.get(0, 0));
        assertEquals(2.0, a.get(1, 0));
        assertEquals(2.0, a.get(0, 1));
        assertEquals(3.0, a.get(2, 0));
        assertEquals(4.0, a.get(1, 1));
        assertEquals(5.0, a.get(2, 1));
        assertEquals(5.0, a.get(1, 2));
        assertEquals(6.0, a.get(2, 2));
        assertEquals(9, a.nnz());
    }

    @Test
    void commentsBlankLinesCrlfAndOddSpacingAreTolerated() {
        CsrMatrix a = MatrixMarketReader.parse(
                "%%MatrixMarket Matrix Coordinate REAL General\r\n% comment\r\n\r\n  2\t2  2 \r\n\r\n%between\r\n 1 1 +2.5\r\n2\t2\t-.5e1\r\n\r\n");
        assertEquals(2.5, a.get(0, 0));
        assertEquals(-5.0, a.get(1, 1));
    }

    @Test
    void fortranExponentsAndExtremeDecimalsParseToTheNearestDouble() {
        CsrMatrix a = MatrixMarketReader.parse("""
                %%MatrixMarket matrix coordinate real general
                1 6 6
                1 1 1.5D+02
                1 2 4.9e-324
                1 3 1.7976931348623157e308
                1 4 -0.0
                1 5 0.1000000000000000055511151231257827
                1 6 123456789012345678901234567890
                """);
        assertEquals(150.0, a.values()[0]);
        assertEquals(Double.MIN_VALUE, a.values()[1]);
        assertEquals(Double.MAX_VALUE, a.values()[2]);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(a.values()[3]));
        assertEquals(0.1, a.values()[4]);
        assertEquals(1.2345678901234568e29, a.values()[5]);
    }

    @Test
    void randomDecimalsParseExactlyLikeDoubleParseDouble() {
        SplittableRandom rnd = new SplittableRandom(42);
        int count = 20_000;
        StringBuilder sb = new StringBuilder("%%MatrixMarket matrix coordinate real general\n1 " + count + " " + count + "\n");
        double[] expected = new double[count];
        for (int k = 0; k < count; k++) {
            StringBuilder num = new StringBuilder();
            if (rnd.nextBoolean()) num.append('-');
            int intDigits = rnd.nextInt(0, 10), fracDigits = rnd.nextInt(intDigits == 0 ? 1 : 0, 12);
            for (int d = 0; d < intDigits; d++) num.append((char) ('0' + rnd.nextInt(10)));
            if (fracDigits > 0) num.append('.');
            for (int d = 0; d < fracDigits; d++) num.append((char) ('0' + rnd.nextInt(10)));
            if (rnd.nextBoolean()) num.append(rnd.nextBoolean() ? 'e' : 'E').append(rnd.nextInt(-40, 40));
            expected[k] = Double.parseDouble(num.toString());
            sb.append("1 ").append(k + 1).append(' ').append(num).append('\n');
        }
        CsrMatrix a = MatrixMarketReader.parse(sb.toString());
        assertEquals(count, a.nnz());
        for (int k = 0; k < count; k++) {
            assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(a.values()[k]), "entry " + k);
        }
    }

    @Test
    void pathInputStreamAndStringGiveTheSameMatrix(@TempDir Path dir) throws IOException {
        String text = "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n2 2 2\n3 3 2\n";
        Path file = dir.resolve("m.mtx");
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        CsrMatrix fromString = MatrixMarketReader.parse(text);
        CsrMatrix fromPath = MatrixMarketReader.read(file);
        assertEquals(fromString.fingerprint(), fromPath.fingerprint());
        assertEquals(5, fromPath.nnz());
    }

    // ---- malformed input: every error names its line ---------------------------------------

    @Test
    void rejectsAMissingBanner() {
        rejects("3 3 1\n1 1 1.0\n", "line 1", "%%MatrixMarket");
    }

    @Test
    void rejectsEmptyInput() {
        rejects("", "line 1", "empty");
    }

    @Test
    void rejectsComplexMatricesClearly() {
        rejects("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1.0 2.0\n", "line 1", "complex");
    }

    @Test
    void rejectsHermitianMatricesClearly() {
        rejects("%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1.0\n", "line 1", "hermitian");
    }

    @Test
    void rejectsAnUnknownFormat() {
        rejects("%%MatrixMarket matrix sparse real general\n", "line 1", "coordinate");
    }

    @Test
    void rejectsAMissingSizeLine() {
        rejects("%%MatrixMarket matrix coordinate real general\n% only a comment\n", "line 3", "missing size line");
    }

    @Test
    void rejectsASizeLineWithoutTheEntryCount() {
        rejects("%%MatrixMarket matrix coordinate real general\n3 3\n1 1 1\n", "line 2", "number of entries");
    }

    @Test
    void rejectsFewerEntriesThanDeclared() {
        rejects("%%MatrixMarket matrix coordinate real general\n% c\n3 3 4\n1 1 1\n2 2 1\n3 3 1\n",
                "line 3", "declares 4 entries but the input ends after 3");
    }

    @Test
    void rejectsMoreEntriesThanDeclared() {
        rejects("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n2 2 1\n3 3 1\n", "line 5", "more entries than the 2 declared");
    }

    @Test
    void rejectsIndexZeroBecauseIndicesAreOneBased() {
        rejects("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n0 2 1\n", "line 4", "row index 0 is out of range [1, 3]");
    }

    @Test
    void rejectsAColumnIndexBeyondTheDimension() {
        rejects("%%MatrixMarket matrix coordinate real general\n3 4 1\n1 5 1\n", "line 3", "column index 5 is out of range [1, 4]");
    }

    @Test
    void rejectsANegativeIndex() {
        rejects("%%MatrixMarket matrix coordinate real general\n3 3 1\n-1 1 1\n", "line 3", "row index -1 is out of range");
    }

    @Test
    void rejectsNaNValues() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n2 2 NaN\n", "line 4", "not finite");
    }

    @Test
    void rejectsInfiniteValues() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 -Infinity\n", "line 3", "not finite");
    }

    @Test
    void rejectsValuesThatOverflowADouble() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1e999\n", "line 3", "overflows");
    }

    @Test
    void rejectsAGarbageValueToken() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n2 2 1.0abc\n", "line 4", "'1.0abc' is not a number");
    }

    @Test
    void rejectsAGarbageIndexToken() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 1\nx 1 1.0\n", "line 3", "'x' is not an integer");
    }

    @Test
    void rejectsAFractionalValueInAnIntegerFile() {
        rejects("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", "line 3", "not an integer");
    }

    @Test
    void rejectsAValueInAPatternFile() {
        rejects("%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1.0\n", "line 3", "unexpected '1.0'");
    }

    @Test
    void rejectsAMissingValue() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1\n", "line 3", "missing value");
    }

    @Test
    void rejectsAnEntryAboveTheDiagonalOfASymmetricFile() {
        rejects("%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n1 1 1\n1 2 5\n", "line 4", "above the diagonal");
    }

    @Test
    void rejectsADiagonalEntryInASkewSymmetricFile() {
        rejects("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 1\n2 2 1\n", "line 3", "not below the diagonal");
    }

    @Test
    void rejectsANonSquareSymmetricMatrix() {
        rejects("%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 1 1\n", "line 2", "must be square");
    }

    @Test
    void rejectsNegativeSizes() {
        rejects("%%MatrixMarket matrix coordinate real general\n-3 3 1\n1 1 1\n", "line 2", "must be positive, was -3");
        rejects("%%MatrixMarket matrix coordinate real general\n3 3 -1\n", "line 2", "must not be negative");
    }

    @Test
    void rejectsADeclared2To31RowsWithOneEntryWithoutAllocating() {
        InvalidProblemException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () ->
                rejects("%%MatrixMarket matrix coordinate real general\n2147483648 2147483648 1\n1 1 1\n", "line 2", "exceeds the limit"));
        assertEquals(Code.TOO_LARGE, e.code());
    }

    @Test
    void rejectsADeclaredEntryCountAboveTheLimitBeforeReadingEntries() {
        InvalidProblemException e = rejects("%%MatrixMarket matrix coordinate real general\n3 3 9000000000000000000\n1 1 1\n",
                "line 2", "more than the limit");
        assertEquals(Code.TOO_LARGE, e.code());
    }

    @Test
    void doesNotTrustALargeDeclaredEntryCountWithinTheLimit() {
        // 40 million entries declared (allowed), one present: must fail on the count, fast, not run out of memory.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () ->
                rejects("%%MatrixMarket matrix coordinate real general\n5 5 40000000\n1 1 1\n", "line 2", "ends after 1"));
    }

    @Test
    void enforcesTheEntryLimitAfterSymmetricExpansion() {
        String text = "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n3 1 1\n";
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> MatrixMarketReader.parse(text, new MatrixMarketReader.Limits(3, 10)));
        assertEquals("line 4", e.field());
        assertEquals(Code.TOO_LARGE, e.code());
        assertEquals(4, MatrixMarketReader.parse(text, new MatrixMarketReader.Limits(4, 10)).nnz());
    }

    @Test
    void enforcesTheDimensionLimit() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> MatrixMarketReader.parse(
                "%%MatrixMarket matrix coordinate real general\n11 2 0\n", new MatrixMarketReader.Limits(100, 10)));
        assertEquals("line 2", e.field());
        assertEquals(Code.TOO_LARGE, e.code());
    }

    @Test
    void rejectsALineLongerThanTheLimit() {
        String text = "%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 " + "1".repeat(MatrixMarketReader.MAX_LINE_LENGTH) + "\n";
        rejects(text, "line 3", "longer than");
    }

    @Test
    void rejectsDuplicatesWhoseSumOverflows() {
        rejects("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1e308\n1 1 1e308\n", "line 2", "not finite");
    }

    @Test
    void acceptsAnEmptyMatrixDeclaringZeroEntries() {
        CsrMatrix a = MatrixMarketReader.parse("%%MatrixMarket matrix coordinate real general\n4 5 0\n");
        assertEquals(4, a.rows());
        assertEquals(5, a.cols());
        assertEquals(0, a.nnz());
    }
}
