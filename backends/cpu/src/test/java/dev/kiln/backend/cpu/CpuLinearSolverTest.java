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
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Method and preconditioner selection of the CPU backend's linear path, end to end through the SPI. */
class CpuLinearSolverTest {
    private final CpuBackend backend = new CpuBackend();

    static Job job(CsrMatrix a, LinearMethod method, String preconditioner) {
        double[] b = new double[a.rows()];
        Arrays.fill(b, 1);
        LinearOptions lo = new LinearOptions(method, preconditioner, Double.NaN, 1e-8, 5000, Precision.FP64, true);
        return new Job("t", JobKind.LINEAR, "test", new double[0], LinearProblem.of(a, b, null),
                new JobOptions("cpu", Objective.LATENCY, 0, 1, lo));
    }

    SolveOutcome solve(Job j) {
        assertTrue(backend.supports(j).supported(), backend.supports(j).reason());
        return backend.solve(j, ProgressSink.NONE, Cancellation.NONE);
    }

    static CsrMatrix nonSymmetric(int n) {
        int[] r = new int[3 * n], c = new int[3 * n];
        double[] v = new double[3 * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) { r[k] = i; c[k] = i - 1; v[k++] = -2; }
            r[k] = i; c[k] = i; v[k++] = 4;
            if (i < n - 1) { r[k] = i; c[k] = i + 1; v[k++] = -1; }
        }
        return CooAssembler.fromCoo(n, n, Arrays.copyOf(r, k), Arrays.copyOf(c, k), Arrays.copyOf(v, k));
    }

    @Test
    void autoRunsJacobiPcgOnASymmetricMatrixWithAPositiveDiagonal() {
        SolveOutcome out = solve(job(PoissonGenerator.poisson2d(30, 30), LinearMethod.AUTO, "auto"));
        assertEquals("pcg+jacobi", out.method());
        assertTrue(out.succeeded(), out.toString());
        assertTrue(out.parameters().containsKey("format"));
    }

    @Test
    void autoRunsGmresOnANonSymmetricMatrix() {
        SolveOutcome out = solve(job(nonSymmetric(300), LinearMethod.AUTO, "auto"));
        assertTrue(out.method().startsWith("gmres"), out.method());
        assertTrue(out.succeeded(), out.toString());
    }

    /** Symmetric, positive diagonal, indefinite: 2×2 blocks [[d1, 2], [2, d2]] with d1·d2 &lt; 4 (n even). */
    static CsrMatrix indefinitePairs(int n) {
        int[] r = new int[2 * n], c = new int[2 * n];
        double[] v = new double[2 * n];
        for (int i = 0; i < n; i++) {
            r[2 * i] = i; c[2 * i] = i; v[2 * i] = 1 + 0.1 * (i % 5);   // b = ones is then no eigenvector
            r[2 * i + 1] = i; c[2 * i + 1] = i ^ 1; v[2 * i + 1] = 2;
        }
        return CooAssembler.fromCoo(n, n, r, c, v);
    }

    @Test
    void autoFallsBackToGmresWhenPcgMeetsNegativeCurvature() {
        SolveOutcome out = solve(job(indefinitePairs(40), LinearMethod.AUTO, "auto"));
        assertTrue(out.method().startsWith("pcg+jacobi→gmres"), out.method());
        assertTrue(out.succeeded(), out.toString());
    }

    @Test
    void cgOnAnIndefiniteMatrixFailsWithNotSpd() {
        CsrMatrix a = CooAssembler.fromCoo(3, 3, new int[] {0, 1, 2}, new int[] {0, 1, 2}, new double[] {1, -1, 2});
        SolveOutcome out = solve(job(a, LinearMethod.CG, "none"));
        assertEquals(ErrorCode.NOT_SPD, out.error().code());
        assertFalse(out.converged());
    }

    @Test
    void ic0AndChebyshevPreconditionersRunThroughTheBackend() {
        for (String pre : new String[] {"ic0", "chebyshev"}) {
            SolveOutcome out = solve(job(PoissonGenerator.poisson2d(30, 30), LinearMethod.PCG, pre));
            assertTrue(out.method().startsWith("pcg+" + (pre.equals("ic0") ? "ic0" : "chebyshev")), out.method());
            assertTrue(out.succeeded(), out.toString());
            assertNull(out.error());
        }
    }

    @Test
    void ic0SolvesInLevelOrderButAnswersInTheMatrixsOwnOrder() {
        // a 2D grid (anti-diagonal levels, so the renumbering moves nearly every row) and a real
        // matrix; the answer is checked against A and b in their own numbering
        for (CsrMatrix a : new CsrMatrix[] {PoissonGenerator.poisson2d(40, 25), fixture("gr_30_30")}) {
            Job j = job(a, LinearMethod.PCG, "ic0");
            SolveOutcome out = solve(j);
            assertEquals("pcg+ic0", out.method());
            double[] b = ((LinearProblem) j.problem()).b(), ax = new double[a.rows()];
            a.multiply(out.solution(), ax);
            double r = 0, bn = 0;
            for (int i = 0; i < ax.length; i++) { r += (b[i] - ax[i]) * (b[i] - ax[i]); bn += b[i] * b[i]; }
            assertTrue(Math.sqrt(r / bn) <= 1e-8, "true residual " + Math.sqrt(r / bn));
            assertEquals(Math.sqrt(r / bn), out.residualNorm(), 1e-10);
        }
    }

    static CsrMatrix fixture(String name) {
        try (var in = CpuLinearSolverTest.class.getResourceAsStream("/matrices/" + name + ".mtx")) {
            return dev.kiln.solvers.matrix.MatrixMarketReader.read(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bicgstabSolvesANonSymmetricSystem() {
        SolveOutcome out = solve(job(nonSymmetric(300), LinearMethod.BICGSTAB, "jacobi"));
        assertEquals("bicgstab+jacobi", out.method());
        assertTrue(out.succeeded(), out.toString());
    }

    @Test
    void aSymmetricOnlyPreconditionerWithANonSymmetricMethodIsRefusedWithAReason() {
        Job ic0Gmres = job(nonSymmetric(10), LinearMethod.GMRES, "ic0");
        assertEquals(ErrorCode.UNSUPPORTED, backend.supports(ic0Gmres).code());
    }

    @Test
    void theProbeSaysWhichKernelsRun() {
        assertTrue(backend.probe().device().contains("Vector API"), backend.probe().device());
    }

    @Test
    void ssorPcgRunsEisenstatsFormWithTheTextbookIterationsAndATrueResidual() {
        CsrMatrix a = PoissonGenerator.poisson2d(40, 33, 0.0, (x, y) -> 1 + 3 * x * y);
        for (double omega : new double[] {1.0, 1.6}) {
            double[] b = new double[a.rows()];
            Arrays.fill(b, 1);
            LinearOptions lo = new LinearOptions(LinearMethod.PCG, "ssor", omega, 1e-8, 5000, Precision.FP64, true);
            Job j = new Job("t", JobKind.LINEAR, "test", new double[0], LinearProblem.of(a, b, null),
                    new JobOptions("cpu", Objective.LATENCY, 0, 1, lo));
            SolveOutcome out = solve(j);
            assertEquals("pcg+ssor", out.method());
            assertEquals(omega, out.parameters().get("omega"));
            assertTrue(out.succeeded(), out.toString());
            var ref = dev.kiln.solvers.krylov.ConjugateGradient.solve(a, b, null,
                    dev.kiln.solvers.krylov.SsorPreconditioner.of(a, omega), 1e-8, 5000, null);
            assertTrue(Math.abs(ref.iterations() - out.iterations()) <= 2, ref + " vs " + out.iterations());
            double[] r = new double[a.rows()];
            a.multiply(out.solution(), r);
            double rr = 0, bb = 0;
            for (int i = 0; i < r.length; i++) { rr += (b[i] - r[i]) * (b[i] - r[i]); bb += b[i] * b[i]; }
            assertEquals(Math.sqrt(rr / bb), out.residualNorm(), 1e-12, "the reported residual is the true one");
        }
    }

    @Test
    void ssorPcgOnAnIndefiniteMatrixFailsNotSpd() {
        // a positive diagonal, so the SSOR preconditioner is SPD; A itself is not
        SolveOutcome out = solve(job(indefinitePairs(20), LinearMethod.PCG, "ssor"));
        assertFalse(out.succeeded());
        assertEquals(ErrorCode.NOT_SPD, out.error().code(), out.toString());
    }
}
