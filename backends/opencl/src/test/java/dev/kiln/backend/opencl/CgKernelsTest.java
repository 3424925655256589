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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel of cg.cl against a host reference in fp64, on the machine's OpenCL device, over
 * awkward shapes: n not a multiple of the work-group, empty rows, one row far longer than the
 * rest, and each lanes-per-row variant of the CSR-vector SpMV.
 */
class CgKernelsTest {
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

    /** A matrix with every awkward feature at once: n = 1000 (not a multiple of 128), empty rows, one dense row. */
    static CsrMatrix awkward(int n, long seed) {
        Random rnd = new Random(seed);
        List<int[]> cols = new ArrayList<>();
        int[] rowPtr = new int[n + 1];
        List<Integer> colIdx = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // the huge row first: n / 2 may itself be ≡ 3 (mod 7), as for n = 1000
            if (i != n / 2 && i % 7 == 3) { rowPtr[i + 1] = colIdx.size(); continue; } // empty row
            if (i == n / 2) {
                for (int j = 0; j < n; j++) { colIdx.add(j); values.add(rnd.nextDouble() - 0.5); } // one huge row
            } else {
                java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
                int len = 1 + rnd.nextInt(9);
                while (set.size() < len) set.add(rnd.nextInt(n));
                for (int j : set) { colIdx.add(j); values.add(rnd.nextDouble() * 2 - 1); }
            }
            rowPtr[i + 1] = colIdx.size();
        }
        cols.clear();
        return CsrMatrix.of(n, n, rowPtr, colIdx.stream().mapToInt(Integer::intValue).toArray(),
                values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double[] random(int n, long seed) {
        Random rnd = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextDouble() * 2 - 1;
        return v;
    }

    @ParameterizedTest(name = "lanes per row {0}")
    @ValueSource(ints = {1, 2, 4, 8, 32})
    void spmvMatchesTheHostOnAnAwkwardMatrix(int lanes) {
        CsrMatrix a = awkward(1000, 1);
        double[] x = random(1000, 2);
        double[] want = new double[1000];
        a.multiply(x, want);
        double[] got = deviceSpmv(a, x, lanes, true);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12 * (1 + Math.abs(want[i])), "row " + i);
    }

    @Test
    void spmvInFp32MatchesTheHostToSinglePrecision() {
        CsrMatrix a = awkward(333, 3);
        double[] x = random(333, 4);
        double[] want = new double[333];
        a.multiply(x, want);
        double[] got = deviceSpmv(a, x, 4, false);
        // Sums of up to 333 products of numbers in [-1, 1]: fp32 rounding bounds the error by ~n·u·Σ|a||x| (Higham §3.1).
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 333 * 6e-8 * 333, "row " + i);
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 127, 129, 1000, 5003})
    void cgSpmvComputesQAndThePartialDotProducts(int n) {
        CsrMatrix a = PoissonGenerator.poisson2d(n, 1, 0.5, null);
        double[] p = random(n, n);
        double[] q = new double[n];
        a.multiply(p, q);
        double pq = 0;
        for (int i = 0; i < n; i++) pq += p[i] * q[i];
        try (Run run = new Run(a, 1, false)) {
            cl_mem dp = ClBuffers.readWrite(device.context, p, true);
            cl_mem dq = ClBuffers.scratch(device.context, n, true);
            run.track(dp, dq);
            CgKernels.args(run.k.cgSpmv, n, run.m.rowPtr, run.m.colIdx, run.m.values, dp, dq, run.partial, run.state);
            run.k.launch(run.queue, run.k.cgSpmv, run.k.spmvGroups);
            double[] gotQ = new double[n];
            ClBuffers.read(run.queue, dq, gotQ, true);
            double[] partials = new double[run.k.spmvGroups];
            readPrefix(run.queue, run.partial, partials);
            double sum = 0;
            for (double v : partials) sum += v;
            for (int i = 0; i < n; i++) assertEquals(q[i], gotQ[i], 1e-13 * (1 + Math.abs(q[i])), "q[" + i + "]");
            assertEquals(pq, sum, 1e-10 * Math.abs(pq));
        }
    }

    @Test
    void alphaIsRhoOverTheSumOfPartials() {
        CsrMatrix a = PoissonGenerator.poisson2d(300, 1, 0, null);
        try (Run run = new Run(a, 1, false)) {
            double[] partials = new double[run.k.spmvGroups];
            double sum = 0;
            for (int g = 0; g < partials.length; g++) { partials[g] = g + 1.5; sum += partials[g]; }
            ClBuffers.write(run.queue, run.partial, pad(partials, 2 * run.groups()), true);
            ClBuffers.write(run.queue, run.s, scalars(7.0, 0), true);
            CgKernels.args(run.k.cgAlpha, run.k.spmvGroups, run.partial, run.s, run.state);
            run.k.launch(run.queue, run.k.cgAlpha, 1);
            double[] s = run.scalars();
            assertEquals(sum, s[CgKernels.S_PAP], 1e-12);
            assertEquals(7.0 / sum, s[CgKernels.S_ALPHA], 1e-15);
            assertEquals(CgKernels.STATUS_RUNNING, run.state()[CgKernels.STATE_STATUS]);
        }
    }

    @Test
    void alphaReportsNonPositiveCurvature() {
        CsrMatrix a = PoissonGenerator.poisson2d(300, 1, 0, null);
        try (Run run = new Run(a, 1, false)) {
            double[] partials = new double[2 * run.groups()];
            partials[0] = -1;
            ClBuffers.write(run.queue, run.partial, partials, true);
            CgKernels.args(run.k.cgAlpha, run.k.spmvGroups, run.partial, run.s, run.state);
            run.k.launch(run.queue, run.k.cgAlpha, 1);
            assertEquals(CgKernels.STATUS_NOT_SPD, run.state()[CgKernels.STATE_STATUS]);
        }
    }

    @ParameterizedTest(name = "jacobi {0}")
    @ValueSource(booleans = {false, true})
    void updateXrMatchesTheHost(boolean jacobi) {
        int n = 1000;
        CsrMatrix a = PoissonGenerator.poisson2d(n, 1, 0.25, null);
        double[] x = random(n, 1), r = random(n, 2), p = random(n, 3), q = random(n, 4);
        double alpha = 0.37;
        double[] inv = a.diagonal();
        for (int i = 0; i < n; i++) inv[i] = 1 / inv[i];
        double rz = 0, rr = 0;
        double[] x2 = x.clone(), r2 = r.clone(), z2 = new double[n];
        for (int i = 0; i < n; i++) {
            x2[i] += alpha * p[i];
            r2[i] -= alpha * q[i];
            z2[i] = jacobi ? inv[i] * r2[i] : r2[i];
            rz += r2[i] * z2[i];
            rr += r2[i] * r2[i];
        }
        try (Run run = new Run(a, 1, jacobi)) {
            cl_mem dx = ClBuffers.readWrite(device.context, x, true), dr = ClBuffers.readWrite(device.context, r, true);
            cl_mem dz = ClBuffers.scratch(device.context, n, true), dp = ClBuffers.readWrite(device.context, p, true);
            cl_mem dq = ClBuffers.readWrite(device.context, q, true);
            run.track(dx, dr, dz, dp, dq);
            double[] s = scalars(0, 0);
            s[CgKernels.S_ALPHA] = alpha;
            ClBuffers.write(run.queue, run.s, s, true);
            CgKernels.args(run.k.cgUpdateXr, n, dx, dr, jacobi ? dz : dr, dp, dq, jacobi ? run.m.invDiag : dr, run.partial, run.s, run.state);
            run.k.launch(run.queue, run.k.cgUpdateXr, run.k.vectorGroups);
            double[] gx = new double[n], gr = new double[n], gz = new double[n];
            ClBuffers.read(run.queue, dx, gx, true);
            ClBuffers.read(run.queue, dr, gr, true);
            if (jacobi) ClBuffers.read(run.queue, dz, gz, true);
            for (int i = 0; i < n; i++) {
                assertEquals(x2[i], gx[i], 1e-15, "x[" + i + "]");
                assertEquals(r2[i], gr[i], 1e-15, "r[" + i + "]");
                if (jacobi) assertEquals(z2[i], gz[i], 1e-15, "z[" + i + "]");
            }
            double[] partials = new double[2 * run.k.vectorGroups];
            readPrefix(run.queue, run.partial, partials);
            double sumRz = 0, sumRr = 0;
            for (int g = 0; g < run.k.vectorGroups; g++) { sumRz += partials[g]; sumRr += partials[run.k.vectorGroups + g]; }
            assertEquals(rz, sumRz, 1e-12 * rz);
            assertEquals(rr, sumRr, 1e-12 * rr);
        }
    }

    @Test
    void betaCountsTheIterationAndUpdatesRho() {
        CsrMatrix a = PoissonGenerator.poisson2d(1000, 1, 0, null);
        try (Run run = new Run(a, 1, false)) {
            int g = run.k.vectorGroups;
            double[] partials = new double[2 * run.groups()];
            for (int i = 0; i < g; i++) { partials[i] = 1.0; partials[g + i] = 2.0; }
            ClBuffers.write(run.queue, run.partial, partials, true);
            ClBuffers.write(run.queue, run.s, scalars(4.0, 1e-30), true);
            CgKernels.args(run.k.cgBeta, g, run.partial, run.s, run.state);
            run.k.launch(run.queue, run.k.cgBeta, 1);
            double[] s = run.scalars();
            int[] state = run.state();
            assertEquals(1, state[CgKernels.STATE_ITERATIONS], "one launch is one iteration");
            assertEquals(CgKernels.STATUS_RUNNING, state[CgKernels.STATE_STATUS]);
            assertEquals(2.0 * g, s[CgKernels.S_RR], 1e-12);
            assertEquals(g / 4.0, s[CgKernels.S_BETA], 1e-12);
            assertEquals(g, s[CgKernels.S_RHO], 1e-12);
        }
    }

    @Test
    void betaStopsOnceTheRecursiveResidualIsSmallEnough() {
        CsrMatrix a = PoissonGenerator.poisson2d(1000, 1, 0, null);
        try (Run run = new Run(a, 1, false)) {
            int g = run.k.vectorGroups;
            double[] partials = new double[2 * run.groups()];
            for (int i = 0; i < g; i++) { partials[i] = 1.0; partials[g + i] = 1e-3; }
            ClBuffers.write(run.queue, run.partial, partials, true);
            ClBuffers.write(run.queue, run.s, scalars(4.0, 1.0), true);
            CgKernels.args(run.k.cgBeta, g, run.partial, run.s, run.state);
            run.k.launch(run.queue, run.k.cgBeta, 1);
            run.k.launch(run.queue, run.k.cgBeta, 1); // a no-op once converged
            int[] state = run.state();
            assertEquals(CgKernels.STATUS_CONVERGED, state[CgKernels.STATE_STATUS]);
            assertEquals(1, state[CgKernels.STATE_ITERATIONS]);
        }
    }

    @Test
    void updatePMatchesTheHost() {
        int n = 777;
        CsrMatrix a = PoissonGenerator.poisson2d(n, 1, 0, null);
        double[] p = random(n, 5), z = random(n, 6);
        double beta = -0.81;
        try (Run run = new Run(a, 1, false)) {
            cl_mem dp = ClBuffers.readWrite(device.context, p, true), dz = ClBuffers.readWrite(device.context, z, true);
            run.track(dp, dz);
            double[] s = scalars(0, 0);
            s[CgKernels.S_BETA] = beta;
            ClBuffers.write(run.queue, run.s, s, true);
            CgKernels.args(run.k.cgUpdateP, n, dp, dz, run.s, run.state);
            run.k.launch(run.queue, run.k.cgUpdateP, run.k.vectorGroups);
            double[] got = new double[n];
            ClBuffers.read(run.queue, dp, got, true);
            for (int i = 0; i < n; i++) assertEquals(z[i] + beta * p[i], got[i], 1e-15, "p[" + i + "]");
        }
    }

    private static double[] deviceSpmv(CsrMatrix a, double[] x, int lanes, boolean fp64) {
        try (Run run = new Run(a, lanes, false, fp64)) {
            cl_mem dx = ClBuffers.readOnly(device.context, x, fp64);
            cl_mem dy = ClBuffers.scratch(device.context, a.rows(), fp64);
            run.track(dx, dy);
            run.k.enqueueSpmv(run.queue, run.m, dx, dy);
            double[] y = new double[a.rows()];
            ClBuffers.read(run.queue, dy, y, fp64);
            return y;
        }
    }

    private static double[] scalars(double rho, double tol2) {
        double[] s = new double[CgKernels.S_LENGTH];
        s[CgKernels.S_RHO] = rho;
        s[CgKernels.S_TOL2] = tol2;
        return s;
    }

    private static double[] pad(double[] v, int length) {
        return java.util.Arrays.copyOf(v, Math.max(length, v.length));
    }

    private static void readPrefix(cl_command_queue q, cl_mem mem, double[] into) {
        ClBuffers.read(q, mem, into, true);
    }

    /** Kernels, matrix, queue and the small buffers of one kernel test; releases all on close. */
    private static final class Run implements AutoCloseable {
        final CgKernels k;
        final DeviceMatrix m;
        final cl_command_queue queue;
        final cl_mem partial;
        final cl_mem s;
        final cl_mem state;
        private final boolean fp64;
        private final DeviceMatrixCache.Lease lease;
        private final List<cl_mem> extra = new ArrayList<>();

        Run(CsrMatrix a, int lanes, boolean jacobi) {
            this(a, lanes, jacobi, true);
        }

        Run(CsrMatrix a, int lanes, boolean jacobi, boolean fp64) {
            assumeTrue(!fp64 || device.info.fp64(), "the device has no fp64");
            this.fp64 = fp64;
            k = CgKernels.create(device, fp64, lanes, jacobi, DeviceMatrix.Layout.CSR, a.rows(), "");
            lease = device.matrices.acquire(a, fp64, DeviceMatrix.Layout.CSR, 0);
            m = lease.matrix;
            queue = device.newQueue();
            partial = ClBuffers.scratch(device.context, 2 * groups(), fp64);
            s = ClBuffers.readWrite(device.context, new double[CgKernels.S_LENGTH], fp64);
            state = ClBuffers.readWrite(device.context, new int[] {CgKernels.STATUS_RUNNING, 0});
        }

        int groups() { return Math.max(k.spmvGroups, k.vectorGroups); }

        void track(cl_mem... mems) { extra.addAll(List.of(mems)); }

        double[] scalars() {
            double[] v = new double[CgKernels.S_LENGTH];
            ClBuffers.read(queue, s, v, fp64);
            return v;
        }

        int[] state() {
            int[] v = new int[CgKernels.STATE_LENGTH];
            ClBuffers.read(queue, state, v);
            return v;
        }

        @Override
        public void close() {
            extra.forEach(ClBuffers::release);
            ClBuffers.release(partial);
            ClBuffers.release(s);
            ClBuffers.release(state);
            CL.clReleaseCommandQueue(queue);
            lease.close();
            k.close();
        }
    }
}
