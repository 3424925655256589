package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKrylovKernelsFp32;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.matrix.CsrMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Vector API kernel against the scalar reference, single-threaded and split over the
 * pool, on lengths around the SIMD width (tails) and on every test matrix and format.
 */
class VectorKernelsTest {
    static final int[] LENGTHS = {1, 3, 7, 8, 9, 31, 32, 33, 100, 1000, 4099};

    @BeforeAll
    static void vectorPathIsThere() {
        assertTrue(CpuKernels.vectorized(), "tests run with --add-modules jdk.incubator.vector: " + CpuKernels.vectorUnavailableReason());
    }

    static KrylovKernels kernels(int n, int parts) {
        WorkerPool pool = WorkerPool.shared();
        RowPartition p = parts == 1 ? RowPartition.single(n) : RowPartition.even(n, VectorKrylovKernels.LANES, pool.parts());
        return new VectorKrylovKernels(pool, p);
    }

    static void close(double expected, double actual, int n) {
        assertEquals(expected, actual, 1e-13 * n * Math.max(1, Math.abs(expected)));
    }

    @Test
    void dotAndNormAgreeWithTheScalarReferenceOnEveryLengthAndSplit() {
        for (int n : LENGTHS) for (int parts : new int[] {1, 2}) {
            double[] x = TestMatrices.vector(n, n), y = TestMatrices.vector(n, n + 1);
            KrylovKernels k = kernels(n, parts);
            close(ScalarKernels.dot(n, x, y), k.dot(n, x, y), n);
            close(ScalarKernels.norm2(n, x), k.norm2(n, x), n);
        }
    }

    @Test
    void axpyXpayScaleAndCopyAgreeWithTheScalarReference() {
        for (int n : LENGTHS) for (int parts : new int[] {1, 2}) {
            double[] x = TestMatrices.vector(n, 3), y1 = TestMatrices.vector(n, 4), y2 = y1.clone();
            KrylovKernels k = kernels(n, parts);
            ScalarKernels.axpy(n, 0.37, x, y1); k.axpy(n, 0.37, x, y2);
            assertArrayEquals(y1, y2, 1e-15);
            ScalarKernels.xpay(n, x, -1.25, y1); k.xpay(n, x, -1.25, y2);
            assertArrayEquals(y1, y2, 1e-14);
            ScalarKernels.scale(n, 3.5, y1); k.scale(n, 3.5, y2);
            assertArrayEquals(y1, y2, 1e-13);
            double[] c = new double[n];
            k.copy(n, x, c);
            assertArrayEquals(x, c);
        }
    }

    @Test
    void theFusedCgUpdateAgreesWithTheScalarReferenceWithAndWithoutJacobi() {
        for (int n : LENGTHS) for (int parts : new int[] {1, 2}) for (boolean jacobi : new boolean[] {false, true}) {
            double[] p = TestMatrices.vector(n, 5), q = TestMatrices.vector(n, 6);
            double[] x1 = TestMatrices.vector(n, 7), r1 = TestMatrices.vector(n, 8), z1 = new double[n];
            double[] x2 = x1.clone(), r2 = r1.clone(), z2 = new double[n];
            double[] inv = jacobi ? TestMatrices.vector(n, 9) : null;
            if (inv != null) for (int i = 0; i < n; i++) inv[i] = 1 + Math.abs(inv[i]);
            double[] o1 = new double[2], o2 = new double[2];
            ScalarKernels.cgUpdate(n, 0.61, p, q, x1, r1, inv, z1, o1);
            kernels(n, parts).cgUpdate(n, 0.61, p, q, x2, r2, inv, z2, o2);
            assertArrayEquals(x1, x2, 1e-15);
            assertArrayEquals(r1, r2, 1e-15);
            assertArrayEquals(z1, z2, 1e-15);
            close(o1[0], o2[0], n);
            close(o1[1], o2[1], n);
        }
    }

    @Test
    void aThreadedStepGivesTheSameBitsAsTheSameSplitRunSequentially() {
        int n = 100_003;
        double[] x = TestMatrices.vector(n, 10), y = TestMatrices.vector(n, 11);
        KrylovKernels k = kernels(n, 2);
        double first = k.dot(n, x, y);
        for (int i = 0; i < 20; i++) assertEquals(first, k.dot(n, x, y), "reductions must not depend on timing");
    }

    @Test
    void sellAndCsrProductsAgreeWithTheScalarReferenceOnEveryMatrix() {
        for (CsrMatrix a : TestMatrices.all()) for (SpmvFormat f : new SpmvFormat[] {SpmvFormat.CSR, SpmvFormat.SELL})
            for (int threads : new int[] {1, 2}) {
                PreparedSystem sys = CpuKernels.prepare(a, f, threads);
                SparseOperator op = sys.operator();
                int n = a.rows();
                double[] x = TestMatrices.vector(n, 12), b = TestMatrices.vector(n, 13);
                double[] yRef = new double[n], y = new double[n], rRef = new double[n], r = new double[n];
                ScalarKernels.spmv(a, x, yRef);
                op.apply(x, y);
                String what = a + " " + op.format() + " threads=" + threads;
                double scale = 0;
                for (double v : a.values()) scale = Math.max(scale, Math.abs(v));
                assertArrayEquals(yRef, y, 1e-13 * scale * 64, what);
                Arrays.fill(y, Double.NaN);
                double d = op.applyDot(x, y);
                assertArrayEquals(yRef, y, 1e-13 * scale * 64, what);
                close(ScalarKernels.dot(n, x, yRef), d, n * 64);
                ScalarKernels.residual(a, x, b, rRef);
                op.residual(x, b, r);
                assertArrayEquals(rRef, r, 1e-13 * scale * 64, what);
            }
    }

    static KrylovKernelsFp32 kernelsFp32(int n, int parts) {
        WorkerPool pool = WorkerPool.shared();
        RowPartition p = parts == 1 ? RowPartition.single(n) : RowPartition.even(n, VectorKrylovKernelsFp32.LANES, pool.parts());
        return new VectorKrylovKernelsFp32(pool, p);
    }

    static float[] vectorFp32(int n, long seed) {
        double[] d = TestMatrices.vector(n, seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void theFp32KernelsAgreeWithTheScalarFp32ReferenceOnEveryLengthAndSplit() {
        KrylovKernelsFp32 ref = ScalarKrylovKernelsFp32.INSTANCE;
        for (int n : LENGTHS) for (int parts : new int[] {1, 2}) for (boolean jacobi : new boolean[] {false, true}) {
            KrylovKernelsFp32 k = kernelsFp32(n, parts);
            float[] x = vectorFp32(n, 21), y1 = vectorFp32(n, 22), y2 = y1.clone();
            close(ref.dot(n, x, y1), k.dot(n, x, y1), n);
            ref.xpay(n, x, -0.75f, y1);
            k.xpay(n, x, -0.75f, y2);
            assertArrayEquals(y1, y2, 1e-6f);
            float[] p = vectorFp32(n, 23), q = vectorFp32(n, 24);
            float[] x1 = vectorFp32(n, 25), r1 = vectorFp32(n, 26), z1 = new float[n];
            float[] x2 = x1.clone(), r2 = r1.clone(), z2 = new float[n];
            float[] inv = jacobi ? vectorFp32(n, 27) : null;
            if (inv != null) for (int i = 0; i < n; i++) inv[i] = 1 + Math.abs(inv[i]);
            double[] o1 = new double[2], o2 = new double[2];
            ref.cgUpdate(n, 0.61f, p, q, x1, r1, inv, z1, o1);
            k.cgUpdate(n, 0.61f, p, q, x2, r2, inv, z2, o2);
            assertArrayEquals(x1, x2, 1e-6f);
            assertArrayEquals(r1, r2, 1e-6f);
            assertArrayEquals(z1, z2, 1e-6f);
            assertEquals(o1[0], o2[0], 1e-5 * n);
            assertEquals(o1[1], o2[1], 1e-5 * n);
        }
    }

    @Test
    void fp32SellProductsAgreeWithTheScalarFp32ReferenceOnEveryMatrix() {
        for (CsrMatrix a : TestMatrices.all()) for (int threads : new int[] {1, 2}) {
            PreparedSystemFp32 sys = CpuKernels.prepareFp32(a, SpmvFormat.SELL, threads);
            assertTrue(sys.operator().format().startsWith("sell-") && sys.operator().format().endsWith("-fp32"),
                    sys.operator().format());
            int n = a.rows();
            float[] x = vectorFp32(n, 28), yRef = new float[n], y = new float[n];
            double dRef = new ScalarCsrOperatorFp32(a).applyDot(x, yRef);
            double scale = 0;
            for (double v : a.values()) scale = Math.max(scale, Math.abs(v));
            String what = a + " threads=" + threads;
            sys.operator().apply(x, y);
            assertArrayEquals(yRef, y, (float) (1e-6 * scale * 64), what);
            Arrays.fill(y, Float.NaN);
            double d = sys.operator().applyDot(x, y);
            assertArrayEquals(yRef, y, (float) (1e-6 * scale * 64), what);
            assertEquals(dRef, d, 1e-10 * n * scale * 64, what);
        }
    }

    @Test
    void fp32ProductsStayWithinFp32RoundingOfTheFp64Ones() {
        CsrMatrix a = TestMatrices.fixture("nos3");
        int n = a.rows();
        double[] x = TestMatrices.vector(n, 29), y = new double[n];
        float[] xf = new float[n], yf = new float[n];
        for (int i = 0; i < n; i++) xf[i] = (float) x[i];
        double[] xr = new double[n];
        for (int i = 0; i < n; i++) xr[i] = xf[i];                 // the same x as the fp32 product sees
        CpuKernels.prepare(a, SpmvFormat.SELL, 1).operator().apply(xr, y);
        CpuKernels.prepareFp32(a, SpmvFormat.SELL, 1).operator().apply(xf, yf);
        int[] rp = a.rowPtr(), ci = a.colIdx();
        for (int i = 0; i < n; i++) {
            double bound = 0;                                       // |A||x|·2⁻²³: value rounding plus the final store
            for (int k = rp[i]; k < rp[i + 1]; k++) bound += Math.abs(a.values()[k] * xr[ci[k]]);
            assertEquals(y[i], yf[i], bound * 0x1p-23 + Math.abs(y[i]) * 0x1p-24, "row " + i);
        }
    }

    @Test
    void sellSortsRowsOnlyWhenThatCutsPadding() {
        SellMatrix uniform = SellMatrix.of(dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(40, 40), 8, 256);
        assertTrue(!uniform.sorted() && uniform.fill() < 1.1, "Poisson rows are nearly equal: no sort, fill " + uniform.fill());
        SellMatrix ragged = SellMatrix.of(TestMatrices.random(1000, 40, false, 3), 8, 256);
        double unsorted = SellMatrix.unsortedFill(TestMatrices.random(1000, 40, false, 3), 8);
        assertTrue(ragged.sorted() && ragged.fill() < unsorted, "sorting cut the fill " + unsorted + " → " + ragged.fill());
    }

    @Test
    void theConversionIsCachedByFingerprint() {
        CsrMatrix a = dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(21, 21);
        CsrMatrix same = dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(21, 21);
        assertTrue(ConversionCache.shared().get(a, 8, 256) == ConversionCache.shared().get(same, 8, 256),
                "an equal matrix (same fingerprint) reuses the conversion");
    }

    @Test
    void theNnzBalancedPartitionGivesEachPartAboutHalfTheEntries() {
        CsrMatrix a = TestMatrices.random(10_000, 40, true, 4);
        RowPartition p = RowPartition.balanced(a.rows(), a.rowPtr(), 1, 2);
        long first = a.rowPtr()[p.end(0)], total = a.nnz();
        assertTrue(Math.abs(first - total / 2.0) < 100, "first part holds " + first + " of " + total);
        assertEquals(0, p.start(0));
        assertEquals(a.rows(), p.end(1));
    }

    @Test
    void theScalarKernelsServeAsTheFallbackInterface() {
        assertEquals("scalar", ScalarKrylovKernels.INSTANCE.name());
        assertTrue(CpuKernels.describe().contains("Vector API"), CpuKernels.describe());
    }
}
