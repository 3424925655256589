package dev.kiln.backend.opencl;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Multicolour SOR/SSOR on the device against the CPU backend's lexicographic SOR/SSOR: the same
 * answer to the tolerance, comparable sweep counts, and the CPU's endings and error codes
 * (INCONSISTENT with a certificate, DIVERGED, INVALID_PROBLEM, an honest budget end).
 */
class OpenClRelaxationTest {
    private static OpenClBackend cl;
    private static final CpuBackend CPU = new CpuBackend();

    @BeforeAll
    static void open() {
        cl = new OpenClBackend();
        cl.configure(Map.of());
        assumeTrue(cl.probe().available(), () -> "no OpenCL device: " + cl.probe().reason());
    }

    @AfterAll
    static void close() {
        if (cl != null) cl.close();
    }

    static Job job(CsrMatrix a, double[] b, LinearMethod method, String pre, double omega, double tol, int maxIt) {
        LinearOptions o = new LinearOptions(method, pre, omega, tol, maxIt, Precision.FP64, true);
        return new Job("relax", JobKind.LINEAR, "test", null, LinearProblem.of(a, b, null), new JobOptions("auto", Objective.LATENCY, 0, 1, o));
    }

    /**
     * Poisson 2D 32×32 (κ ≈ 4/(π²h²) ≈ 4.4e2, LeVeque §2.10). Sweep counts: for SOR the 5-point
     * stencil is consistently ordered in both the natural and the red-black order, so the
     * asymptotic rate is the same (Young; Saad §4.2.5) and the counts differ by the startup and
     * by the device's check every 8 sweeps. Red-black SSOR is not natural-order SSOR (see
     * {@link #twoColourSsorIsSorWithOmegaTimesTwoMinusOmega}), so at ω = 1 it gets a factor.
     */
    @ParameterizedTest(name = "{0} ω = {1}")
    @CsvSource({"SOR, 1.0, 1.15", "SOR, 1.8, 1.5", "SSOR, 1.0, 2.5"})
    void redBlackSweepsGiveTheCpuAnswer(LinearMethod method, double omega, double countFactor) throws Exception {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        double[] b = PoissonGenerator.smoothRhs2d(32, 32);
        double tol = 1e-8;
        Job job = job(a, b, method, "auto", omega, tol, 20_000);
        assertTrue(cl.supports(job).supported(), cl.supports(job).reason());
        SolveOutcome dev = cl.solve(job, ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome cpu = CPU.solve(job, ProgressSink.NONE, Cancellation.NONE);
        assertTrue(cpu.converged(), "cpu: " + cpu.error());
        assertTrue(dev.converged(), "opencl: " + dev.error() + " residual " + dev.residualNorm());
        assertEquals(cpu.method(), dev.method());
        assertEquals(omega, (double) dev.parameters().get("omega"));
        assertEquals(2, dev.parameters().get("colours"));
        assertEquals(ReferenceJobs.trueRelativeResidual(a, b, dev.solution()), dev.residualNorm(), 1e-6 * dev.residualNorm());
        assertTrue(dev.residualNorm() <= tol);
        assertTrue(SellCgTest.relativeDifference(dev.solution(), cpu.solution()) <= 2 * 4.4e2 * tol,
                "relative difference " + SellCgTest.relativeDifference(dev.solution(), cpu.solution()));
        int check = OpenClConfig.DEFAULT_CHECK_INTERVAL;
        assertTrue(dev.iterations() <= countFactor * cpu.iterations() + check && cpu.iterations() <= countFactor * dev.iterations() + check,
                method + " ω " + omega + ": opencl " + dev.iterations() + " sweeps, cpu " + cpu.iterations());
    }

    /**
     * With two colours an SSOR iteration is R B B R: the two consecutive black updates (and the
     * red ones across iterations) see unchanged neighbours, so they merge into one update with
     * ω' = 1 − (1 − ω)² = ω(2 − ω). Red-black SSOR(ω) is red-black SOR(ω(2 − ω)), under-relaxed for
     * every ω ≠ 1: at ω = 1.6 it needs about as many sweeps as SOR at 0.64 (measured here: 4504
     * against the CPU's lexicographic SSOR's 272 on this problem; for the ω tuner, ω = 1 is
     * SSOR's best on this backend with two colours).
     */
    @Test
    void twoColourSsorIsSorWithOmegaTimesTwoMinusOmega() throws Exception {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        double[] b = PoissonGenerator.smoothRhs2d(32, 32);
        SolveOutcome ssor = cl.solve(job(a, b, LinearMethod.SSOR, "auto", 1.6, 1e-8, 20_000), ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome sor = cl.solve(job(a, b, LinearMethod.SOR, "auto", 1.6 * 0.4, 1e-8, 20_000), ProgressSink.NONE, Cancellation.NONE);
        assertTrue(ssor.converged() && sor.converged());
        // Same rate; the counts part by the transient (the merged sweeps run black first, SOR red first; measured
        // here 4504 against 4344) and by the check every 8 sweeps.
        assertTrue(Math.abs(ssor.iterations() - sor.iterations()) <= 0.1 * sor.iterations() + 2 * OpenClConfig.DEFAULT_CHECK_INTERVAL,
                "ssor(1.6) " + ssor.iterations() + " sweeps, sor(0.64) " + sor.iterations());
    }

    @Test
    void fp32SweepsAreRefinedToTheFp64Tolerance() throws Exception {
        try (OpenClBackend fp32 = new OpenClBackend()) {
            fp32.configure(Map.of(OpenClConfig.PRECISION_CONFIG, "fp32"));
            CsrMatrix a = PoissonGenerator.poisson2d(24, 24);
            double[] b = PoissonGenerator.smoothRhs2d(24, 24);
            SolveOutcome out = fp32.solve(job(a, b, LinearMethod.SOR, "none", 1.7, 1e-10, 20_000), ProgressSink.NONE, Cancellation.NONE);
            assertEquals("fp32", out.parameters().get("precision"));
            assertTrue(out.converged() && out.residualNorm() <= 1e-10, out.error() + " residual " + out.residualNorm());
            assertTrue((int) out.parameters().get("restarts") >= 1, "1e-10 is below fp32 sweeps alone: the host refined");
            assertEquals(ReferenceJobs.trueRelativeResidual(a, b, out.solution()), out.residualNorm(), 1e-6 * out.residualNorm());
        }
    }

    @Test
    void anInconsistentSystemEndsInconsistentWithACertificateAsOnTheCpu() throws Exception {
        assumeTrue(cl.device().info.fp64(), "the certificate needs fp64 kernels");
        double[] b = new double[20];
        b[0] = 1; // bᵀ·1 ≠ 0: no solution
        Job job = job(PoissonGenerator.neumann1d(20), b, LinearMethod.SOR, "auto", 1.2, 1e-8, 1_000_000);
        SolveOutcome dev = cl.solve(job, ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome cpu = CPU.solve(job, ProgressSink.NONE, Cancellation.NONE);
        assertEquals(ErrorCode.INCONSISTENT, cpu.error().code());
        assertNotNull(dev.error(), "opencl claimed " + dev.residualNorm() + " after " + dev.iterations());
        assertEquals(ErrorCode.INCONSISTENT, dev.error().code(), dev.error().message());
        assertTrue((double) dev.parameters().get("certificateNorm") > 0);
        assertTrue(dev.iterations() < 100_000, "found in " + dev.iterations() + " sweeps");
        assertFalse(dev.converged());
    }

    @Test
    void aConsistentSingularSystemStillConverges() throws Exception {
        double[] b = new double[20];
        b[0] = 1;
        b[19] = -1; // orthogonal to the constants: solvable
        SolveOutcome dev = cl.solve(job(PoissonGenerator.neumann1d(20), b, LinearMethod.SOR, "auto", 1.2, 1e-8, 1_000_000), ProgressSink.NONE,
                Cancellation.NONE);
        assertTrue(dev.converged(), dev.error() + " residual " + dev.residualNorm());
    }

    @Test
    void anIndefiniteMatrixDivergesAsOnTheCpu() throws Exception {
        // tridiag(-2, 1, -2): eigenvalues 1 − 4cos(kπ/(n+1)) of both signs, not diagonally dominant; SOR blows up.
        int n = 50;
        CooAssembler c = new CooAssembler(n, n);
        for (int i = 0; i < n; i++) {
            if (i > 0) c.add(i, i - 1, -2);
            c.add(i, i, 1);
            if (i < n - 1) c.add(i, i + 1, -2);
        }
        CsrMatrix a = c.build();
        Job job = job(a, PoissonGenerator.ones(n), LinearMethod.SOR, "auto", 1.0, 1e-8, 100_000);
        SolveOutcome cpu = CPU.solve(job, ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome dev = cl.solve(job, ProgressSink.NONE, Cancellation.NONE);
        assertEquals(ErrorCode.DIVERGED, cpu.error().code());
        assertNotNull(dev.error());
        assertEquals(ErrorCode.DIVERGED, dev.error().code(), dev.error().message());
        assertFalse(dev.converged());
    }

    @Test
    void aSmallBudgetEndsNotConvergedWithTheTrueResidual() throws Exception {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        double[] b = PoissonGenerator.ones(a.rows());
        SolveOutcome out = cl.solve(job(a, b, LinearMethod.SSOR, "auto", 1.5, 1e-12, 3), ProgressSink.NONE, Cancellation.NONE);
        assertFalse(out.converged());
        assertEquals(3, out.iterations());
        assertEquals(ReferenceJobs.trueRelativeResidual(a, b, out.solution()), out.residualNorm(), 1e-9);
    }

    @Test
    void cancellationStopsTheSweepsAndAFamilyReusesTheColouredUpload() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            CsrMatrix a = PoissonGenerator.poisson2d(64, 64);
            double[] rhs = PoissonGenerator.ones(a.rows());
            Job job = job(a, rhs, LinearMethod.SOR, "auto", 1.0, 1e-12, 1_000_000);
            java.util.concurrent.atomic.AtomicInteger reports = new java.util.concurrent.atomic.AtomicInteger();
            Cancellation cancel = new Cancellation() {
                @Override public boolean cancelled() { return reports.get() >= 3; }
                @Override public boolean deadlinePassed() { return false; }
            };
            SolveOutcome out = b.solve(job, (it, res) -> reports.incrementAndGet(), cancel);
            assertEquals(ErrorCode.CANCELLED, out.error().code());
            assertEquals(3 * OpenClConfig.DEFAULT_CHECK_INTERVAL, out.iterations(), "stopped at the first check after the cancel");
            assertEquals(true, out.parameters().get("matrixUploaded"));
            assertEquals(ReferenceJobs.trueRelativeResidual(a, rhs, out.solution()), out.residualNorm(), 1e-9);
            SolveOutcome again = b.solve(job(a, rhs, LinearMethod.SSOR, "auto", 1.0, 1e-6, 100_000), ProgressSink.NONE,
                    Cancellation.NONE);
            assertTrue(again.converged(), String.valueOf(again.error()));
            assertEquals(false, again.parameters().get("matrixUploaded"), "sor and ssor share the coloured matrix");
            assertEquals(1, b.device().matrices.uploads());
        }
    }

    @Test
    void badOmegaAndAZeroDiagonalAreInvalidProblemsAsOnTheCpu() throws Exception {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4);
        SolveOutcome omega = cl.solve(job(a, PoissonGenerator.ones(16), LinearMethod.SOR, "auto", 2.0, 1e-8, 100),
                ProgressSink.NONE, Cancellation.NONE);
        assertEquals(ErrorCode.INVALID_PROBLEM, omega.error().code());
        assertTrue(omega.error().message().contains("options.omega"), omega.error().message());
        CsrMatrix zeroDiag = CooAssembler.fromCoo(2, 2, new int[] {0, 1}, new int[] {1, 0}, new double[] {1, 1});
        SolveOutcome diag = cl.solve(job(zeroDiag, new double[] {1, 1}, LinearMethod.SSOR, "auto", 1.0, 1e-8, 100),
                ProgressSink.NONE, Cancellation.NONE);
        assertEquals(ErrorCode.INVALID_PROBLEM, diag.error().code());
        assertTrue(diag.error().message().contains("diagonal[0]"), diag.error().message());
    }

    @Test
    void preconditionersItDoesNotRunAreRefusedWithAReason() {
        CsrMatrix a = PoissonGenerator.poisson2d(8, 8);
        Support sorJacobi = cl.supports(job(a, PoissonGenerator.ones(64), LinearMethod.SOR, "jacobi", 1.0, 1e-8, 100));
        assertFalse(sorJacobi.supported());
        assertEquals(ErrorCode.UNSUPPORTED, sorJacobi.code());
        Support pcgSsor = cl.supports(job(a, PoissonGenerator.ones(64), LinearMethod.PCG, "ssor", 1.0, 1e-8, 100));
        assertFalse(pcgSsor.supported());
        assertEquals(ErrorCode.UNSUPPORTED, pcgSsor.code());
        assertTrue(pcgSsor.reason().contains("ssor"), pcgSsor.reason());
    }
}
