package dev.kiln.solvers.matrix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixMarketWriterTest {

    static void assertBitForBit(CsrMatrix expected, CsrMatrix actual) {
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.cols(), actual.cols());
        assertArrayEquals(expected.rowPtr(), actual.rowPtr());
        assertArrayEquals(expected.colIdx(), actual.colIdx());
        long[] e = new long[expected.nnz()], a = new long[actual.nnz()];
        for (int k = 0; k < e.length; k++) e[k] = Double.doubleToRawLongBits(expected.values()[k]);
        for (int k = 0; k < a.length; k++) a[k] = Double.doubleToRawLongBits(actual.values()[k]);
        assertArrayEquals(e, a);
    }

    @Test
    void generalRoundTripReproducesEveryBitIncludingExtremeValues() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] specials = {Double.MIN_VALUE, -Double.MAX_VALUE, 1.0 / 3, -0.0, 0.0, Math.PI * 1e-300,
                2.2250738585072014E-308, 4.9e-322, 123456789.123456789, 1e23, 0.1 + 0.2};
        CooAssembler coo = new CooAssembler(50, 40);
        for (int k = 0; k < specials.length; k++) coo.add(k, k, specials[k]);
        for (int k = 0; k < 600; k++) {
            double v = Double.longBitsToDouble(rnd.nextLong());
            if (!Double.isFinite(v)) v = rnd.nextDouble() * 1e-5;
            coo.add(rnd.nextInt(specials.length, 50), rnd.nextInt(40), v);
        }
        CsrMatrix a = coo.build();
        CsrMatrix back = MatrixMarketReader.parse(MatrixMarketWriter.toText(a, MatrixMarketWriter.Symmetry.GENERAL));
        assertBitForBit(a, back);
    }

    @Test
    void symmetricRoundTripOfAVariableCoefficientPoissonMatrixIsExact() {
        CsrMatrix a = PoissonGenerator.poisson2d(9, 7, 0.3, (x, y) -> Math.exp(x - 2 * y));
        String text = MatrixMarketWriter.toText(a, MatrixMarketWriter.Symmetry.SYMMETRIC);
        assertTrue(text.startsWith("%%MatrixMarket matrix coordinate real symmetric\n"));
        assertBitForBit(a, MatrixMarketReader.parse(text));
    }

    @Test
    void realFixtureSurvivesGeneralAndSymmetricRoundTrips(@TempDir Path dir) throws IOException {
        CsrMatrix a = MatrixMarketReaderTest.fixture("nos3.mtx");
        Path general = dir.resolve("general.mtx"), symmetric = dir.resolve("symmetric.mtx");
        MatrixMarketWriter.write(a, general, MatrixMarketWriter.Symmetry.GENERAL);
        MatrixMarketWriter.write(a, symmetric, MatrixMarketWriter.Symmetry.SYMMETRIC);
        assertBitForBit(a, MatrixMarketReader.read(general));
        assertBitForBit(a, MatrixMarketReader.read(symmetric));
    }

    @Test
    void symmetricOutputIsRefusedForANonSymmetricMatrix() {
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[] {0, 1}, new int[] {1, 0}, new double[] {1.0, 1.0 + 1e-15});
        assertFalse(MatrixMarketWriter.isExactlySymmetric(a));
        assertThrows(IllegalArgumentException.class, () -> MatrixMarketWriter.toText(a, MatrixMarketWriter.Symmetry.SYMMETRIC));
    }

    @Test
    void structurallyAsymmetricZeroIsNotCalledSymmetric() {
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[] {0}, new int[] {1}, new double[] {0.0});
        assertTrue(a.isSymmetric(0.0), "CsrMatrix compares values only");
        assertFalse(MatrixMarketWriter.isExactlySymmetric(a), "the writer also needs the mirrored structure");
    }
}
