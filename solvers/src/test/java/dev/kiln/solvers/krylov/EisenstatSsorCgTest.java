package dev.kiln.solvers.krylov;

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
import java.util.Map;

import static dev.kiln.solvers.krylov.ConjugateGradientTest.trueRelativeResidual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Eisenstat's SSOR-PCG against PCG with the SSOR preconditioner applied the textbook way. */
class EisenstatSsorCgTest {

    static CsrMatrix resource(String name) throws IOException {
        try (InputStream in = EisenstatSsorCgTest.class.getResourceAsStream("/matrices/" + name)) {
            assertNotNull(in, name);
            return MatrixMarketReader.read(in);
        }
    }

    @Test
    void followsTheTextbookSsorPcgIterateForIterateOnGeneratedAndRealMatrices() throws IOException {
        Map<String, CsrMatrix> matrices = Map.of(
                "poisson 24x24", PoissonGenerator.poisson2d(24, 24),
                "rough 20x20", PoissonGenerator.poisson2d(20, 20, 0.0, ConjugateGradientTest::rough),
                "gr_30_30", resource("gr_30_30.mtx"),
                "nos3", resource("nos3.mtx"),
                "1138_bus", resource("1138_bus.mtx"));
        for (var e : matrices.entrySet()) {
            CsrMatrix a = e.getValue();
            double[] b = new double[a.rows()];
            for (int i = 0; i < b.length; i++) b[i] = 1 + Math.sin(0.37 * i);
            for (double omega : new double[] {0.6, 1.0, 1.5, 1.9}) {
                String where = e.getKey() + " ω=" + omega;
                SsorPreconditioner m = SsorPreconditioner.of(a, omega);
                // the same Krylov iterates in exact arithmetic: x_k agree while rounding has not
                // yet had time to separate them
                for (int k = 1; k <= 6; k++) {
                    double[] ref = ConjugateGradient.solve(a, b, null, m, 1e-30, k, null).x();
                    SolveReport eis = EisenstatSsorCg.solve(a, b, null, m, 1e-30, k, null);
                    assertEquals(k, eis.iterations(), where);
                    double diff = 0, norm = 0;
                    for (int i = 0; i < ref.length; i++) {
                        diff = Math.max(diff, Math.abs(ref[i] - eis.x()[i]));
                        norm = Math.max(norm, Math.abs(ref[i]));
                    }
                    assertTrue(diff <= 1e-9 * norm, where + " x_" + k + " differs by " + diff / norm);
                }
                SolveReport ref = ConjugateGradient.solve(a, b, null, m, 1e-8, 20 * a.rows(), null);
                SolveReport eis = EisenstatSsorCg.solve(a, b, null, m, 1e-8, 20 * a.rows(), null);
                assertEquals(Termination.CONVERGED, ref.termination(), where + " reference " + ref);
                assertEquals(Termination.CONVERGED, eis.termination(), where + " eisenstat " + eis);
                int slack = Math.max(2, ref.iterations() / 50);
                assertTrue(Math.abs(ref.iterations() - eis.iterations()) <= slack,
                        where + ": " + ref.iterations() + " vs " + eis.iterations());
                assertTrue(eis.relativeResidual() <= 1e-8, where + " " + eis);
                assertEquals(trueRelativeResidual(a, b, eis.x()), eis.relativeResidual(), 0.0, where);
            }
        }
    }

    @Test
    void startsFromAGuessAndStopsAtOnceWhenTheGuessSolves() {
        CsrMatrix a = PoissonGenerator.poisson2d(12, 9);
        double[] xs = new double[a.rows()];
        for (int i = 0; i < xs.length; i++) xs[i] = i % 7 - 3;
        double[] b = new double[a.rows()];
        a.multiply(xs, b);
        SsorPreconditioner m = SsorPreconditioner.of(a, 1.3);
        SolveReport exact = EisenstatSsorCg.solve(a, b, xs, m, 1e-12, 100, (it, rel) -> { throw new AssertionError("no iteration"); });
        assertEquals(Termination.CONVERGED, exact.termination());
        assertEquals(0, exact.iterations());
        double[] near = xs.clone();
        near[5] += 1;
        SolveReport fromNear = EisenstatSsorCg.solve(a, b, near, m, 1e-12, 500, null);
        assertEquals(Termination.CONVERGED, fromNear.termination(), fromNear.toString());
        for (int i = 0; i < xs.length; i++) assertEquals(xs[i], fromNear.x()[i], 1e-9, "x[" + i + "]");
        assertEquals(xs[5] + 1, near[5], "the guess is not modified");
    }

    @Test
    void symmetricIndefiniteWithPositiveDiagonalIsNotSpd() {
        // positive diagonal (so SSOR is SPD) but eigenvalues 3 and −1: CG meets negative curvature
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}, new double[] {1, 2, 2, 1});
        SolveReport rep = EisenstatSsorCg.solve(a, new double[] {1, -0.5}, null, SsorPreconditioner.of(a, 1.0), 1e-10, 100, null);
        assertEquals(Termination.NOT_SPD, rep.termination(), rep.toString());
        assertEquals(trueRelativeResidual(a, new double[] {1, -0.5}, rep.x()), rep.relativeResidual());
    }

    @Test
    void belowAttainableAccuracyItStagnatesAfterResidualReplacementAndReportsTheTrueResidual() throws IOException {
        CsrMatrix a = resource("1138_bus.mtx");   // cond ≈ 8.6e6: the true residual stalls near 6e-10
        double[] b = PoissonGenerator.ones(a.rows());
        SolveReport rep = EisenstatSsorCg.solve(a, b, null, SsorPreconditioner.of(a, 1.0), 1e-15, 100 * a.rows(), null);
        // STAGNATED is only reached when a replacement restart fails to cut the true residual of
        // the one before it, so at least one replacement happened
        assertEquals(Termination.STAGNATED, rep.termination(), rep.toString());
        assertTrue(rep.iterations() < 10 * a.rows(), "stagnation ends the solve long before the budget: " + rep);
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
        assertTrue(rep.relativeResidual() < 1e-8, "x is as good as fp64 allows here: " + rep);
    }

    @Test
    void reportsBudgetStopZeroRightHandSideAndNonFiniteInputHonestly() {
        CsrMatrix a = PoissonGenerator.poisson2d(32, 32);
        SsorPreconditioner m = SsorPreconditioner.of(a, 1.0);
        double[] b = PoissonGenerator.ones(a.rows());
        SolveReport capped = EisenstatSsorCg.solve(a, b, null, m, 1e-10, 3, null);
        assertEquals(Termination.MAX_ITERATIONS, capped.termination());
        assertEquals(3, capped.iterations());
        assertEquals(trueRelativeResidual(a, b, capped.x()), capped.relativeResidual());

        List<Integer> seen = new ArrayList<>();
        SolveReport stopped = EisenstatSsorCg.solve(a, b, null, m, 1e-12, 1000, (it, rel) -> { seen.add(it); return it < 4; });
        assertEquals(Termination.STOPPED, stopped.termination());
        assertEquals(List.of(1, 2, 3, 4), seen);

        SolveReport zero = EisenstatSsorCg.solve(a, new double[a.rows()], b, m, 1e-10, 100, null);
        assertEquals(Termination.CONVERGED, zero.termination());
        assertArrayEquals(new double[a.rows()], zero.x());

        double[] bad = b.clone();
        bad[17] = Double.NaN;
        assertEquals(Termination.DIVERGED, EisenstatSsorCg.solve(a, bad, null, m, 1e-10, 100, null).termination());
    }

    @Test
    void rejectsAMismatchedRightHandSide() {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4);
        SsorPreconditioner m = SsorPreconditioner.of(a, 1.0);
        assertThrows(InvalidProblemException.class, () -> EisenstatSsorCg.solve(a, new double[15], null, m, 1e-8, 10, null));
    }
}
