package dev.kiln.solvers.matrix;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The fingerprint is a content-addressed ref (HTTP matrix store, caches, kiln.state), so its
 * bytes must not change when its implementation does: SHA-256 of rows, cols, rowPtr, colIdx as
 * big-endian ints and the values as big-endian doubles.
 */
class CsrMatrixFingerprintTest {

    /** The definition, written the slow obvious way. */
    static String expected(CsrMatrix a) throws IOException, NoSuchAlgorithmException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeInt(a.rows());
            o.writeInt(a.cols());
            for (int v : a.rowPtr()) o.writeInt(v);
            for (int v : a.colIdx()) o.writeInt(v);
            for (double v : a.values()) o.writeDouble(v);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    }

    @Test
    void isTheSha256OfShapeStructureAndValuesForSmallAndBufferSpanningMatrices() throws Exception {
        // 4×3: smaller than the staging buffer; 300×200 (≈ 3.6 MB): many buffer flushes, and a
        // flush boundary that falls inside the values (8-byte) and inside the indices (4-byte)
        for (CsrMatrix a : new CsrMatrix[] {PoissonGenerator.poisson2d(4, 3), PoissonGenerator.poisson2d(300, 200),
                PoissonGenerator.poisson2d(1, 1), PoissonGenerator.poisson2d(37, 5, 0.25, (x, y) -> 1 + x * y)}) {
            assertEquals(expected(a), a.fingerprint(), a.toString());
        }
    }

    @Test
    void keepsTheRefsOfEarlierReleases() {
        // computed by the per-element implementation this replaced (commit 5656037)
        assertEquals("ef9183e5618dea43b6cef889476be04a4e93d4fd8b98ff40757ce501e75d186e",
                PoissonGenerator.poisson2d(4, 3).fingerprint());
        assertEquals("647f4ce9303212f119faacb42c52c47b89735102cca5f0976de76e5c7dc52c17",
                PoissonGenerator.poisson2d(300, 200).fingerprint());
    }

    @Test
    void differsWhenOneValueDiffers() {
        CsrMatrix a = PoissonGenerator.poisson2d(50, 40);
        double[] v = a.values().clone();
        v[v.length - 1] = Math.nextUp(v[v.length - 1]);
        CsrMatrix b = CsrMatrix.of(a.rows(), a.cols(), a.rowPtr().clone(), a.colIdx().clone(), v);
        assertNotEquals(a.fingerprint(), b.fingerprint());
    }
}
