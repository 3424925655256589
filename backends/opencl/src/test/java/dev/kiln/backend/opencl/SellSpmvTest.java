package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SELL-C-σ SpMV of sell.cl against the host's fp64 product on awkward shapes (n not a
 * multiple of C nor of the work-group, empty rows, one row as long as the matrix), its host
 * layout, and the rule that picks it per matrix.
 */
class SellSpmvTest {
    private static OpenClBackend backend;
    private static ClDevice device;

    @BeforeAll
    static void open() {
        backend = new OpenClBackend();
        backend.configure(Map.of());
        var probe = backend.probe();
        assumeTrue(probe.available(), () -> "no OpenCL device: " + probe.reason());
        device = backend.device();
    }

    @AfterAll
    static void close() {
        if (backend != null) backend.close();
    }

    static double[] deviceProduct(CsrMatrix a, double[] x, boolean fp64, DeviceSpmv.Format format) {
        cl_command_queue queue = device.newQueue();
        cl_mem dx = null, dy = null;
        try (DeviceSpmv op = DeviceSpmv.create(device, a, fp64, format, 1, "")) {
            assertEquals(format, op.format);
            dx = ClBuffers.readOnly(device.context, x, fp64);
            dy = ClBuffers.scratch(device.context, a.rows(), fp64);
            op.enqueue(queue, dx, dy);
            double[] y = new double[a.rows()];
            ClBuffers.read(queue, dy, y, fp64);
            return y;
        } finally {
            ClBuffers.release(dx);
            ClBuffers.release(dy);
            CL.clReleaseCommandQueue(queue);
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 31, 33, 129, 1000, 5003})
    void sellMatchesTheHostOnAnAwkwardMatrixInFp64(int n) {
        assumeTrue(device.info.fp64(), "the device has no cl_khr_fp64");
        CsrMatrix a = CgKernelsTest.awkward(n, n);
        double[] x = CgKernelsTest.random(n, 5);
        double[] want = new double[n];
        a.multiply(x, want);
        double[] got = deviceProduct(a, x, true, DeviceSpmv.Format.SELL);
        for (int i = 0; i < n; i++) assertEquals(want[i], got[i], 1e-12 * (1 + Math.abs(want[i])), "row " + i);
    }

    @Test
    void sellInFp32MatchesTheHostToSinglePrecision() {
        int n = 777;
        CsrMatrix a = CgKernelsTest.awkward(n, 9);
        double[] x = CgKernelsTest.random(n, 10);
        double[] want = new double[n];
        a.multiply(x, want);
        double[] got = deviceProduct(a, x, false, DeviceSpmv.Format.SELL);
        // Sums of up to n products of numbers in [-1, 1] in fp32: error ≤ n·u·Σ|a||x| ≤ n·6e-8·n (Higham §3.1).
        for (int i = 0; i < n; i++) assertEquals(want[i], got[i], n * 6e-8 * n, "row " + i);
    }

    @Test
    void csrFormatThroughTheSameEntryMatchesTheHost() {
        CsrMatrix a = CgKernelsTest.awkward(1000, 11);
        double[] x = CgKernelsTest.random(1000, 12);
        double[] want = new double[1000];
        a.multiply(x, want);
        boolean fp64 = device.info.fp64();
        double[] got = deviceProduct(a, x, fp64, DeviceSpmv.Format.CSR);
        double tol = fp64 ? 1e-12 : 1000 * 6e-8 * 1000;
        for (int i = 0; i < 1000; i++) assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), "row " + i);
    }

    @Test
    void layoutStoresEveryRowOnceAndPadsOnlyTheLastChunk() {
        CsrMatrix a = CgKernelsTest.awkward(100, 3);
        SellLayout l = SellLayout.of(a, 8, 32);
        int[] rows = Arrays.stream(l.perm()).filter(r -> r >= 0).sorted().toArray();
        int[] all = new int[100];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, rows);
        assertEquals(13 * 8, l.perm().length);
        assertEquals(4, Arrays.stream(l.perm()).filter(r -> r < 0).count());
        assertEquals(SellLayout.sortedFill(a, 8, 32), l.fill(), 1e-15);
    }

    @Test
    void ruleTakesSellForAStencilAndCsrForAMatrixWithOneHugeRow() {
        assertTrue(SellLayout.suits(PoissonGenerator.poisson2d(100, 100, 0, null)));
        assertEquals(DeviceSpmv.Format.SELL, DeviceSpmv.choose(PoissonGenerator.poisson2d(100, 100, 0, null)));
        // the dense row pads its chunk to n: fill ≈ 32·1000 / ~5000 non-zeros, far above 1.25
        assertEquals(DeviceSpmv.Format.CSR, DeviceSpmv.choose(CgKernelsTest.awkward(1000, 1)));
    }

    @Test
    void measurementEntryReportsTheChosenFormatAndAnExactProduct() {
        try (OpenClMeasurement m = OpenClMeasurement.open(Map.of())) {
            assertTrue(m.available(), m.reason());
            CsrMatrix a = PoissonGenerator.poisson2d(64, 64, 0, null);
            double[] x = CgKernelsTest.random(a.rows(), 1);
            OpenClMeasurement.SpmvFigure f = m.spmv(a, x, 0.05);
            assertEquals("sell", f.format());
            assertTrue(f.maxRelativeError() < (m.fp64() ? 1e-14 : 1e-6), "error " + f.maxRelativeError());
            assertTrue(f.secondsPerProduct() > 0);
        }
    }
}
