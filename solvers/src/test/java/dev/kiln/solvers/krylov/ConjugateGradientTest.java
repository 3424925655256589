package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.InvalidProblemException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConjugateGradientTest {

    static double trueRelativeResidual(CsrMatrix a, double[] b, double[] x) {
        double[] r = new double[b.length];
        ScalarKernels.residual(a, x, b, r);
        return ScalarKernels.norm2(r.length, r) / ScalarKernels.norm2(b.length, b);
    }

    static CsrMatrix diag(double... d) {
        int[] idx = new int[d.length];
        for (int i = 0; i < d.length; i++) idx[i] = i;
        return CooAssembler.fromCoo(d.length, d.length, idx, idx, d);
    }

    /** A rough coefficient: jumps by 10⁴ across x = 1/2 and varies smoothly in y. */
    static double rough(double x, double y) {
        return (x < 0.5 ? 1.0 : 1e4) * (1 + 0.5 * Math.sin(6 * y));
    }

    @Test
    void solvesPoisson2d32x32WithATrueResidualBelowTolerance() {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        double[] b = PoissonGenerator.ones(a.rows());
        SolveReport rep = ConjugateGradient.solve(a, b, null, null, 1e-10, 1000, null);
        assertEquals(Termination.CONVERGED, rep.termination(), rep.toString());
        assertTrue(rep.relativeResidual() <= 1e-10, rep.toString());
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
        assertTrue(rep.iterations() > 10 && rep.iterations() < 200, rep.toString());
    }

    @Test
    void jacobiPcgNeedsFewerIterationsThanPlainCgOnAVariableCoefficientProblem() {
        CsrMatrix a = PoissonGenerator.poisson2d(24, 24, 0.0, ConjugateGradientTest::rough);
        double[] b = PoissonGenerator.ones(a.rows());
        SolveReport plain = ConjugateGradient.solve(a, b, null, IdentityPreconditioner.INSTANCE, 1e-8, 5000, null);
        SolveReport jacobi = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), 1e-8, 5000, null);
        assertEquals(Termination.CONVERGED, plain.termination(), plain.toString());
        assertEquals(Termination.CONVERGED, jacobi.termination(), jacobi.toString());
        assertTrue(jacobi.iterations() < plain.iterations(), "jacobi " + jacobi + " vs plain " + plain);
    }

    @Test
    void detectsASymmetricIndefiniteMatrixAsNotSpd() {
        CsrMatrix a = diag(1, -1, 2);
        SolveReport rep = ConjugateGradient.solve(a, new double[] {1, 1, 1}, null, null, 1e-10, 100, null);
        assertEquals(Termination.NOT_SPD, rep.termination(), rep.toString());
        assertEquals(trueRelativeResidual(a, new double[] {1, 1, 1}, rep.x()), rep.relativeResidual());
    }

    @Test
    void detectsANegativeDefinitePreconditionerAsNotSpd() {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4);
        Preconditioner negative = (r, z) -> { for (int i = 0; i < r.length; i++) z[i] = -r[i]; };
        SolveReport rep = ConjugateGradient.solve(a, PoissonGenerator.ones(16), null, negative, 1e-10, 100, null);
        assertEquals(Termination.NOT_SPD, rep.termination());
        assertEquals(0, rep.iterations());
    }

    @Test
    void stopsAfterTheIterationWhoseMonitorCallReturnedFalse() {
        CsrMatrix a = PoissonGenerator.poisson2d(16, 16);
        List<Integer> seen = new ArrayList<>();
        SolveReport rep = ConjugateGradient.solve(a, PoissonGenerator.ones(a.rows()), null, null, 1e-12, 1000,
                (it, rel) -> { seen.add(it); return it < 5; });
        assertEquals(Termination.STOPPED, rep.termination());
        assertEquals(5, rep.iterations());
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
        assertTrue(rep.relativeResidual() > 1e-12);
    }

    @Test
    void monitorSeesEveryIterationOnceWithTheRecursiveResidual() {
        CsrMatrix a = PoissonGenerator.poisson2d(10, 10);
        List<Double> residuals = new ArrayList<>();
        SolveReport rep = ConjugateGradient.solve(a, PoissonGenerator.ones(a.rows()), null, null, 1e-8, 1000,
                (it, rel) -> { residuals.add(rel); assertEquals(residuals.size(), it); return true; });
        assertEquals(rep.iterations(), residuals.size());
        assertEquals(rep.recursiveResidual(), residuals.get(residuals.size() - 1));
    }

    @Test
    void zeroRightHandSideGivesTheZeroSolutionWithoutIterating() {
        CsrMatrix a = PoissonGenerator.poisson2d(5, 5);
        double[] x0 = PoissonGenerator.ones(25);
        SolveReport rep = ConjugateGradient.solve(a, new double[25], x0, null, 1e-10, 100,
                (it, rel) -> { throw new AssertionError("no iteration expected"); });
        assertEquals(Termination.CONVERGED, rep.termination());
        assertEquals(0, rep.iterations());
        assertEquals(0.0, rep.relativeResidual());
        assertArrayEquals(new double[25], rep.x());
        assertArrayEquals(PoissonGenerator.ones(25), x0, "x0 is not modified");
    }

    @Test
    void reportsMaxIterationsHonestlyWithTheTrueResidual() {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        double[] b = PoissonGenerator.ones(a.rows()); // (not the smooth rhs: an eigenvector, solved in one step)
        SolveReport rep = ConjugateGradient.solve(a, b, null, null, 1e-10, 3, null);
        assertEquals(Termination.MAX_ITERATIONS, rep.termination());
        assertEquals(3, rep.iterations());
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
        assertTrue(rep.relativeResidual() > 1e-10);
    }

    @Test
    void withoutAGuessTheSolveIsTheZeroGuessesBitForBit() {
        // x0 = null starts from r0 = b without a product; an explicit zero x0 computes b − A·0.
        // Negative zeros in b (and a negative off-diagonal, whose product with 0 is −0) included.
        CsrMatrix a = PoissonGenerator.poisson2d(23, 19);
        double[] b = new double[a.rows()];
        for (int i = 0; i < b.length; i++) b[i] = i % 5 == 0 ? -0.0 : i % 5 == 1 ? 0.0 : Math.sin(i);
        for (Preconditioner m : new Preconditioner[] {null, JacobiPreconditioner.of(a), IncompleteCholeskyPreconditioner.of(a)}) {
            SolveReport none = ConjugateGradient.solve(a, b, null, m, 1e-10, 500, null);
            SolveReport zero = ConjugateGradient.solve(a, b, new double[a.rows()], m, 1e-10, 500, null);
            assertEquals(Termination.CONVERGED, none.termination());
            assertEquals(zero.iterations(), none.iterations());
            assertEquals(Double.doubleToLongBits(zero.relativeResidual()), Double.doubleToLongBits(none.relativeResidual()));
            assertEquals(Double.doubleToLongBits(zero.recursiveResidual()), Double.doubleToLongBits(none.recursiveResidual()));
            for (int i = 0; i < b.length; i++) {
                assertEquals(Double.doubleToLongBits(zero.x()[i]), Double.doubleToLongBits(none.x()[i]), "x[" + i + "]");
            }
        }
    }

    @Test
    void anInitialGuessThatAlreadySolvesNeedsNoIteration() {
        CsrMatrix a = PoissonGenerator.poisson2d(6, 6);
        double[] x = new double[36];
        for (int i = 0; i < 36; i++) x[i] = i % 7;
        double[] b = new double[36];
        a.multiply(x, b);
        SolveReport rep = ConjugateGradient.solve(a, b, x, null, 1e-12, 100, null);
        assertEquals(Termination.CONVERGED, rep.termination());
        assertEquals(0, rep.iterations());
    }

    @Test
    void smoothPoissonSolutionIsSecondOrderAccurate() {
        double[] errors = new double[2];
        int[] sizes = {15, 31};
        for (int t = 0; t < 2; t++) {
            int n = sizes[t];
            CsrMatrix a = PoissonGenerator.poisson2d(n, n);
            SolveReport rep = ConjugateGradient.solve(a, PoissonGenerator.smoothRhs2d(n, n), null, null, 1e-12, 2000, null);
            assertEquals(Termination.CONVERGED, rep.termination());
            double[] exact = PoissonGenerator.sample2d(n, n, (x, y) -> Math.sin(Math.PI * x) * Math.sin(Math.PI * y));
            double max = 0;
            for (int i = 0; i < exact.length; i++) max = Math.max(max, Math.abs(rep.x()[i] - exact[i]));
            errors[t] = max;
        }
        double ratio = errors[0] / errors[1]; // h halves: O(h²) means about 4
        assertTrue(ratio > 3.5 && ratio < 4.5, "error ratio " + ratio);
    }

    static CsrMatrix bus1138() throws IOException {
        try (InputStream in = ConjugateGradientTest.class.getResourceAsStream("/matrices/1138_bus.mtx")) {
            assertNotNull(in);
            return MatrixMarketReader.read(in);
        }
    }

    @Test
    void restartsFromTheTrueResidualWhenTheRecursiveOneClaimsConvergenceTooEarly() throws IOException {
        CsrMatrix a = bus1138(); // cond ≈ 8.6e6: the recursive residual drifts from the true one
        double[] b = PoissonGenerator.ones(a.rows());
        double tol = 3e-10;
        double[] previous = {Double.NaN};
        int[] restarts = {0};
        SolveReport rep = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), tol, 10 * a.rows(),
                (it, rel) -> {
                    if (previous[0] <= tol && rel > tol) restarts[0]++; // residual replaced by the (larger) true one
                    previous[0] = rel;
                    return true;
                });
        assertTrue(restarts[0] >= 1, "expected a residual replacement; " + rep);
        assertEquals(Termination.CONVERGED, rep.termination(), rep.toString());
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
        assertTrue(rep.relativeResidual() <= tol, rep.toString());
    }

    @Test
    void belowAttainableAccuracyTheSolveStagnatesAndReportsTheTrueResidual() throws IOException {
        CsrMatrix a = bus1138();
        double[] b = PoissonGenerator.ones(a.rows());
        double tol = 1e-14; // below what double precision attains on this matrix (cond ≈ 8.6e6)
        SolveReport rep = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), tol, 100 * a.rows(), null);
        assertEquals(Termination.STAGNATED, rep.termination(), rep.toString());
        assertTrue(rep.iterations() < 100 * a.rows(), "stagnation ends the solve before the budget: " + rep);
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
        assertTrue(rep.relativeResidual() > tol, rep.toString());
    }

    @Test
    void aReusedWorkspaceGivesIdenticalResults() {
        CsrMatrix a = PoissonGenerator.poisson3d(6, 6, 6, 0.0, (x, y, z) -> 1 + x + y * z);
        double[] b = PoissonGenerator.smoothRhs3d(6, 6, 6);
        ConjugateGradient.Workspace ws = new ConjugateGradient.Workspace(a.rows());
        SolveReport first = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), 1e-10, 500, null, ws);
        SolveReport second = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), 1e-10, 500, null, ws);
        SolveReport fresh = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), 1e-10, 500, null);
        assertArrayEquals(first.x(), second.x());
        assertArrayEquals(first.x(), fresh.x());
        assertEquals(Termination.CONVERGED, first.termination());
    }

    @Test
    void jacobiRefusesAMatrixWithANonPositiveDiagonal() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> JacobiPreconditioner.of(diag(1, 0, 2)));
        assertEquals("diagonal[1]", e.field());
        assertTrue(!JacobiPreconditioner.isApplicable(diag(1, -3, 2)));
        assertTrue(JacobiPreconditioner.isApplicable(diag(1, 3, 2)));
    }

    @Test
    void rejectsAMismatchedRightHandSideAndInvalidOptions() {
        CsrMatrix a = PoissonGenerator.poisson2d(3, 3);
        assertEquals("problem.rhs", assertThrows(InvalidProblemException.class,
                () -> ConjugateGradient.solve(a, new double[8], null, null, 1e-8, 10, null)).field());
        assertEquals("options.tolerance", assertThrows(InvalidProblemException.class,
                () -> ConjugateGradient.solve(a, new double[9], null, null, 0.0, 10, null)).field());
        assertEquals("options.maxIterations", assertThrows(InvalidProblemException.class,
                () -> ConjugateGradient.solve(a, new double[9], null, null, 1e-8, -1, null)).field());
    }
}
