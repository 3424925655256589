package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernelsFp32;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mixed-precision iterative refinement on the scalar reference kernels, against fp64 CG. */
class MixedPrecisionCgTest {

    static MixedPrecisionCg.Result mixed(CsrMatrix a, double[] b, boolean jacobi, double tol) {
        float[] inv32 = null;
        if (jacobi) {
            double[] inv = JacobiPreconditioner.of(a).inverseDiagonal();
            inv32 = new float[inv.length];
            for (int i = 0; i < inv.length; i++) inv32[i] = (float) inv[i];
        }
        return MixedPrecisionCg.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE, new ScalarCsrOperatorFp32(a),
                ScalarKrylovKernelsFp32.INSTANCE, b, null, inv32, tol, 20_000, null);
    }

    static double[] ones(int n) {
        double[] b = new double[n];
        Arrays.fill(b, 1);
        return b;
    }

    @Test
    void refinementReachesATolerancePastFp32sPrecisionAndMatchesFp64Cg() {
        CsrMatrix a = PoissonGenerator.poisson2d(40, 40);
        double[] b = ones(a.rows());
        MixedPrecisionCg.Result m = mixed(a, b, true, 1e-11);
        SolveReport ref = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), 1e-11, 20_000, null);
        assertEquals(Termination.CONVERGED, m.report().termination(), m.report().toString());
        assertTrue(m.report().relativeResidual() <= 1e-11, "true residual " + m.report().relativeResidual());
        assertEquals(m.report().relativeResidual(), ConjugateGradientTest.trueRelativeResidual(a, b, m.report().x()), 1e-13);
        assertTrue(m.refinements() >= 2, "fp32 alone cannot reach 1e-11: refinements " + m.refinements());
        assertArrayEquals(ref.x(), m.report().x(), 1e-8 * Arrays.stream(ref.x()).map(Math::abs).max().orElse(1));
    }

    @Test
    void plainCgAsTheInnerSolverConvergesToo() {
        CsrMatrix a = PoissonGenerator.poisson3d(8, 8, 8);
        MixedPrecisionCg.Result m = mixed(a, ones(a.rows()), false, 1e-10);
        assertEquals(Termination.CONVERGED, m.report().termination());
    }

    @Test
    void aMatrixThatFp32CannotRepresentStagnatesWithoutSpoilingX() {
        // [[1, 1−ε], [1−ε, 1]] with ε = 1e-9 is SPD in fp64 (κ ≈ 2e9) but singular once rounded to fp32
        double e = 1e-9;
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1},
                new double[] {1, 1 - e, 1 - e, 1});
        double[] b = {1, -1};
        MixedPrecisionCg.Result m = mixed(a, b, false, 1e-10);
        assertEquals(Termination.STAGNATED, m.report().termination(), m.report().toString());
        for (double v : m.report().x()) assertTrue(Double.isFinite(v));
        assertTrue(m.report().relativeResidual() <= 1.0, "x never gets worse than x0 = 0: " + m.report().relativeResidual());
    }

    @Test
    void valuesBeyondFp32sRangeStagnateInsteadOfReturningNaN() {
        CsrMatrix a = ConjugateGradientTest.diag(1e40, 2e40, 3e40);
        MixedPrecisionCg.Result m = mixed(a, new double[] {1, 1, 1}, true, 1e-8);
        assertEquals(Termination.STAGNATED, m.report().termination());
        for (double v : m.report().x()) assertTrue(Double.isFinite(v));
    }

    @Test
    void aNaNInTheRightHandSideIsReportedAsDivergence() {
        CsrMatrix a = PoissonGenerator.poisson2d(5, 5);
        double[] b = ones(a.rows());
        b[3] = Double.NaN;
        assertEquals(Termination.DIVERGED, mixed(a, b, true, 1e-8).report().termination());
    }

    @Test
    void aZeroRightHandSideGivesZeroWithoutIterating() {
        CsrMatrix a = PoissonGenerator.poisson2d(5, 5);
        MixedPrecisionCg.Result m = mixed(a, new double[a.rows()], true, 1e-8);
        assertEquals(Termination.CONVERGED, m.report().termination());
        assertEquals(0, m.report().iterations());
        assertEquals(0, m.refinements());
    }

    @Test
    void theIterationBudgetEndsTheSolve() {
        CsrMatrix a = PoissonGenerator.poisson2d(40, 40);
        float[] none = null;
        MixedPrecisionCg.Result m = MixedPrecisionCg.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE,
                new ScalarCsrOperatorFp32(a), ScalarKrylovKernelsFp32.INSTANCE, ones(a.rows()), null, none, 1e-10, 7, null);
        assertEquals(Termination.MAX_ITERATIONS, m.report().termination());
        assertEquals(7, m.report().iterations());
    }

    @Test
    void theMonitorCanStopTheSolve() {
        CsrMatrix a = PoissonGenerator.poisson2d(40, 40);
        MixedPrecisionCg.Result m = MixedPrecisionCg.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE,
                new ScalarCsrOperatorFp32(a), ScalarKrylovKernelsFp32.INSTANCE, ones(a.rows()), null, null, 1e-10, 1000,
                (it, res) -> it < 5);
        assertEquals(Termination.STOPPED, m.report().termination());
        assertEquals(5, m.report().iterations());
    }
}
