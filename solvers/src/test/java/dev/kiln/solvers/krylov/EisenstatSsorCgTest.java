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

    private static List<Double> history(boolean eisenstat, CsrMatrix a, double[] b, double omega, double tol, SolveReport[] out) {
        List<Double> residuals = new ArrayList<>();
        IterationMonitor record = (it, rel) -> { residuals.add(rel); return true; };
        SsorPreconditioner m = SsorPreconditioner.of(a, omega);
        out[0] = eisenstat ? EisenstatSsorCg.solve(a, b, null, m, tol, 20 * a.rows(), record)
                : ConjugateGradient.solve(a, b, null, m, tol, 20 * a.rows(), record);
        return residuals;
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
                SolveReport[] ref = new SolveReport[1], eis = new SolveReport[1];
                List<Double> hr = history(false, a, b, omega, 1e-8, ref);
                List<Double> he = history(true, a, b, omega, 1e-8, eis);
                assertEquals(Termination.CONVERGED, ref[0].termination(), where + " reference " + ref[0]);
                assertEquals(Termination.CONVERGED, eis[0].termination(), where + " eisenstat " + eis[0]);
                // the same Krylov iterates in exact arithmetic: the residual histories agree while
                // rounding has not yet had time to separate them
                for (int k = 0; k < Math.min(8, Math.min(hr.size(), he.size())); k++) {
                    assertEquals(hr.get(k), he.get(k), 1e-7 * hr.get(k), where + " iteration " + (k + 1));
                }
                int slack = Math.max(2, ref[0].iterations() / 50);
                assertTrue(Math.abs(ref[0].iterations() - eis[0].iterations()) <= slack,
                        where + ": " + ref[0].iterations() + " vs " + eis[0].iterations());
                assertTrue(eis[0].relativeResidual() <= 1e-8, where + " " + eis[0]);
                assertEquals(trueRelativeResidual(a, b, eis[0].x()), eis[0].relativeResidual(), 0.0, where);
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
        CsrMatrix a = resource("1138_bus.mtx");   // cond ≈ 8.6e6
        double[] b = PoissonGenerator.ones(a.rows());
        int[] restarts = {0};
        double[] previous = {Double.NaN};
        SolveReport rep = EisenstatSsorCg.solve(a, b, null, SsorPreconditioner.of(a, 1.0), 1e-15, 100 * a.rows(),
                (it, rel) -> {
                    if (previous[0] <= 1e-15 && rel > 1e-15) restarts[0]++;
                    previous[0] = rel;
                    return true;
                });
        assertEquals(Termination.STAGNATED, rep.termination(), rep.toString());
        assertTrue(restarts[0] >= 1, "the true residual replaced the recursive one at least once: " + rep);
        assertTrue(rep.iterations() < 100 * a.rows(), rep.toString());
        assertEquals(trueRelativeResidual(a, b, rep.x()), rep.relativeResidual());
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
