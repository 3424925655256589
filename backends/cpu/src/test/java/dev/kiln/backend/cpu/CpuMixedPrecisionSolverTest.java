package dev.kiln.backend.cpu;

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
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code precision: mixed | fp32} on the CPU backend, end to end through the SPI, against fp64 results. */
class CpuMixedPrecisionSolverTest {
    private final CpuBackend backend = new CpuBackend();

    static Job job(CsrMatrix a, LinearMethod method, String preconditioner, Precision precision, double tol) {
        double[] b = new double[a.rows()];
        Arrays.fill(b, 1);
        LinearOptions lo = new LinearOptions(method, preconditioner, Double.NaN, tol, 20_000, precision, true);
        return new Job("t", JobKind.LINEAR, "test", new double[0], LinearProblem.of(a, b, null),
                new JobOptions("cpu", Objective.LATENCY, 0, 1, lo));
    }

    SolveOutcome solve(Job j) {
        Support s = backend.supports(j);
        assertTrue(s.supported(), s.reason());
        return backend.solve(j, ProgressSink.NONE, Cancellation.NONE);
    }

    @Test
    void mixedPrecisionReachesTheToleranceAndAgreesWithFp64() {
        CsrMatrix a = PoissonGenerator.poisson2d(60, 60);
        SolveOutcome mixed = solve(job(a, LinearMethod.AUTO, "auto", Precision.MIXED, 1e-10));
        SolveOutcome fp64 = solve(job(a, LinearMethod.AUTO, "auto", Precision.FP64, 1e-10));
        assertTrue(mixed.succeeded(), mixed.toString());
        assertEquals("pcg+jacobi(mixed)", mixed.method());
        assertEquals("fp32", mixed.parameters().get("precision"));
        assertTrue(((Number) mixed.parameters().get("refinements")).intValue() >= 2, mixed.parameters().toString());
        assertTrue(mixed.residualNorm() <= 1e-10, "true residual " + mixed.residualNorm());
        double scale = Arrays.stream(fp64.solution()).map(Math::abs).max().orElse(1);
        assertArrayEquals(fp64.solution(), mixed.solution(), 1e-8 * scale);
    }

    @Test
    void fp32RunsTheSameRefinementSoTheToleranceStillHolds() {
        CsrMatrix a = PoissonGenerator.poisson3d(10, 10, 10);
        SolveOutcome out = solve(job(a, LinearMethod.CG, "none", Precision.FP32, 1e-9));
        assertTrue(out.succeeded(), out.toString());
        assertEquals("cg(mixed)", out.method());
        assertTrue(out.residualNorm() <= 1e-9);
    }

    @Test
    void aSystemFp32CannotResolveFinishesInFp64AndSaysSo() {
        // SPD in fp64 (κ ≈ 2e9) but singular once rounded to fp32: refinement cannot progress
        double e = 1e-9;
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1},
                new double[] {1, 1 - e, 1 - e, 1});
        double[] b = {1, -1};
        LinearOptions lo = new LinearOptions(LinearMethod.CG, "none", Double.NaN, 1e-10, 100, Precision.MIXED, true);
        Job j = new Job("t", JobKind.LINEAR, "test", new double[0], LinearProblem.of(a, b, null),
                new JobOptions("cpu", Objective.LATENCY, 0, 1, lo));
        SolveOutcome out = solve(j);
        assertEquals("cg(mixed)→cg", out.method());
        assertEquals("cg(mixed)", out.parameters().get("fallbackFrom"));
        assertTrue(out.succeeded(), out.toString());
        assertTrue(out.residualNorm() <= 1e-10);
    }

    @Test
    void mixedWithANonCgMethodIsRefusedNamingThePrecision() {
        Support s = backend.supports(job(PoissonGenerator.poisson2d(5, 5), LinearMethod.GMRES, "auto", Precision.MIXED, 1e-8));
        assertEquals(ErrorCode.UNSUPPORTED, s.code());
        assertTrue(s.reason().startsWith("options.precision: mixed"), s.reason());
    }

    @Test
    void mixedWithAPreconditionerThatHasNoFp32KernelsIsRefused() {
        Support s = backend.supports(job(PoissonGenerator.poisson2d(5, 5), LinearMethod.PCG, "ic0", Precision.FP32, 1e-8));
        assertEquals(ErrorCode.UNSUPPORTED, s.code());
        assertTrue(s.reason().contains("options.preconditioner ic0"), s.reason());
    }

    @Test
    void autoOnANonSymmetricMatrixRunsFp64GmresAndReportsIt() {
        SolveOutcome out = solve(job(CpuLinearSolverTest.nonSymmetric(200), LinearMethod.AUTO, "auto", Precision.MIXED, 1e-8));
        assertTrue(out.method().startsWith("gmres"), out.method());
        assertEquals("fp64", out.parameters().get("precision"));
        assertTrue(out.succeeded(), out.toString());
    }

    @Test
    void theFeaturesCarryTheRequestedPrecision() {
        assertEquals(Precision.MIXED, backend.features(job(PoissonGenerator.poisson2d(5, 5), LinearMethod.CG, "none",
                Precision.MIXED, 1e-8)).precision());
    }
}
