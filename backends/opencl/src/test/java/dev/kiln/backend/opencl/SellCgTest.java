package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CG and Jacobi-PCG with the SELL-C-σ product inside the device-resident loop give the CSR-vector
 * path's answer: the σ-sorted (permuted) vectors are mapped back correctly, and the iteration
 * counts agree (CG is invariant under the symmetric permutation up to rounding).
 */
class SellCgTest {
    private static OpenClBackend sell;
    private static OpenClBackend csr;
    private static OpenClBackend auto;

    @BeforeAll
    static void open() {
        sell = new OpenClBackend();
        sell.configure(Map.of(OpenClConfig.CG_FORMAT_CONFIG, "sell"));
        assumeTrue(sell.probe().available(), () -> "no OpenCL device: " + sell.probe().reason());
        csr = new OpenClBackend();
        csr.configure(Map.of(OpenClConfig.CG_FORMAT_CONFIG, "csr"));
        auto = new OpenClBackend();
        auto.configure(Map.of());
    }

    @AfterAll
    static void close() {
        for (OpenClBackend b : new OpenClBackend[] {sell, csr, auto}) if (b != null) b.close();
    }

    static Stream<Arguments> systems() throws Exception {
        return Stream.of(
                // κ: 2D Poisson ≈ 4/(π²h²) (LeVeque §2.10) ≈ 6.6e2 at 40×40; nos3 3.8e4, 1138_bus 8.6e6 (SuiteSparse condest)
                Arguments.of("poisson2d-40", PoissonGenerator.poisson2d(40, 40), LinearMethod.CG, 1e3),
                Arguments.of("poisson2d-40", PoissonGenerator.poisson2d(40, 40), LinearMethod.PCG, 1e3),
                Arguments.of("nos3", mtx("nos3.mtx"), LinearMethod.PCG, 4e4),
                Arguments.of("1138_bus", mtx("1138_bus.mtx"), LinearMethod.PCG, 1e7));
    }

    static CsrMatrix mtx(String name) throws Exception {
        try (InputStream in = SellCgTest.class.getResourceAsStream("/matrices/" + name)) {
            return MatrixMarketReader.read(in);
        }
    }

    static Job job(String name, CsrMatrix a, LinearMethod method, double tol, Precision precision) {
        double[] b = new double[a.rows()];
        Random rnd = new Random(3);
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() * 2 - 1;
        LinearOptions o = new LinearOptions(method, "auto", Double.NaN, tol, 20_000, precision, true);
        return new Job(name, JobKind.LINEAR, "test", null, LinearProblem.of(a, b, null), new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("systems")
    void sellInsideCgGivesTheCsrAnswer(String name, CsrMatrix a, LinearMethod method, double kappa) throws Exception {
        double tol = 1e-8;
        Job job = job(name, a, method, tol, Precision.FP64);
        SolveOutcome s = sell.solve(job, ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome c = csr.solve(job, ProgressSink.NONE, Cancellation.NONE);
        assertEquals("sell", s.parameters().get("spmvFormat"));
        assertEquals("csr", c.parameters().get("spmvFormat"));
        assertTrue(s.converged(), name + " sell: " + s.error() + " residual " + s.residualNorm());
        assertTrue(c.converged(), name + " csr: " + c.error());
        assertEquals(c.method(), s.method());
        double[] b = ((LinearProblem) job.problem()).b();
        assertEquals(ReferenceJobs.trueRelativeResidual(a, b, s.solution()), s.residualNorm(), 1e-6 * s.residualNorm());
        // Both under tol: ‖x_sell − x_csr‖/‖x‖ ≤ 2·κ·tol (Higham, "Accuracy and Stability", §7.1).
        assertTrue(relativeDifference(s.solution(), c.solution()) <= 2 * kappa * tol,
                name + ": relative difference " + relativeDifference(s.solution(), c.solution()));
        // Same Krylov iterates up to rounding; the count may move by the check interval (8) when rounding
        // shifts the crossing of the tolerance into the next batch, and by a restart on ill-conditioned matrices.
        assertTrue(Math.abs(s.iterations() - c.iterations()) <= Math.max(16, c.iterations() / 10),
                name + ": sell " + s.iterations() + " iterations, csr " + c.iterations());
    }

    @Test
    void fp32SellCgIsRefinedToTheFp64Tolerance() throws Exception {
        try (OpenClBackend fp32 = new OpenClBackend()) {
            fp32.configure(Map.of(OpenClConfig.CG_FORMAT_CONFIG, "sell", OpenClConfig.PRECISION_CONFIG, "fp32"));
            CsrMatrix a = mtx("nos3.mtx");
            Job job = job("nos3-fp32", a, LinearMethod.PCG, 1e-9, Precision.FP64);
            SolveOutcome s = fp32.solve(job, ProgressSink.NONE, Cancellation.NONE);
            assertEquals("fp32", s.parameters().get("precision"));
            assertEquals("sell", s.parameters().get("spmvFormat"));
            assertTrue(s.converged() && s.residualNorm() <= 1e-9, s.error() + " residual " + s.residualNorm());
            assertEquals(ReferenceJobs.trueRelativeResidual(a, ((LinearProblem) job.problem()).b(), s.solution()), s.residualNorm(),
                    1e-6 * s.residualNorm());
        }
    }

    @Test
    void theRulePicksSellForPoissonAndCsrForOneHugeRowAndTheResultSaysSo() throws Exception {
        SolveOutcome p = auto.solve(job("poisson", PoissonGenerator.poisson2d(30, 30), LinearMethod.CG, 1e-8, Precision.FP64),
                ProgressSink.NONE, Cancellation.NONE);
        assertEquals("sell", p.parameters().get("spmvFormat"));
        assertTrue(p.converged());
        // An SPD matrix whose row 0 is dense: SELL would pad its chunk to n (fill ≫ 1.25), so CSR runs.
        int n = 300;
        CsrMatrix arrow = arrow(n);
        assertEquals(DeviceMatrix.Layout.CSR, DeviceMatrix.cgLayout(arrow));
        SolveOutcome h = auto.solve(job("arrow", arrow, LinearMethod.CG, 1e-8, Precision.FP64), ProgressSink.NONE, Cancellation.NONE);
        assertEquals("csr", h.parameters().get("spmvFormat"));
        assertTrue(h.converged(), String.valueOf(h.error()));
    }

    @Test
    void aSellJobThenACsrJobOnOneMatrixUploadEachLayoutOnce() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of(OpenClConfig.CG_FORMAT_CONFIG, "sell"));
            Job job = job("p", PoissonGenerator.poisson2d(20, 20), LinearMethod.CG, 1e-8, Precision.FP64);
            assertEquals(true, b.solve(job, ProgressSink.NONE, Cancellation.NONE).parameters().get("matrixUploaded"));
            assertEquals(false, b.solve(job, ProgressSink.NONE, Cancellation.NONE).parameters().get("matrixUploaded"));
            b.configure(Map.of(OpenClConfig.CG_FORMAT_CONFIG, "csr"));
            assertEquals(true, b.solve(job, ProgressSink.NONE, Cancellation.NONE).parameters().get("matrixUploaded"));
            assertEquals(2, b.device().matrices.uploads());
        }
    }

    /** Diagonal 2n, row/column 0 all ones: strictly diagonally dominant, so SPD. */
    static CsrMatrix arrow(int n) {
        int[] rowPtr = new int[n + 1];
        int nnz = n + 2 * (n - 1);
        int[] col = new int[nnz];
        double[] val = new double[nnz];
        int k = 0;
        for (int j = 0; j < n; j++) { col[k] = j; val[k++] = j == 0 ? 2.0 * n : 1; }
        rowPtr[1] = k;
        for (int i = 1; i < n; i++) {
            col[k] = 0; val[k++] = 1;
            col[k] = i; val[k++] = 2.0 * n;
            rowPtr[i + 1] = k;
        }
        return CsrMatrix.of(n, n, rowPtr, col, val);
    }

    static double relativeDifference(double[] x, double[] y) {
        double diff = 0, norm = 0;
        for (int i = 0; i < x.length; i++) {
            diff += (x[i] - y[i]) * (x[i] - y[i]);
            norm += y[i] * y[i];
        }
        return Math.sqrt(diff / norm);
    }
}
