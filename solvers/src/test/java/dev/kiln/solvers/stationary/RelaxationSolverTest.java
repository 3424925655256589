package dev.kiln.solvers.stationary;

import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.SsorPreconditioner;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.InvalidProblemException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelaxationSolverTest {

    static double trueResidual(CsrMatrix a, double[] b, double[] x) {
        double[] r = new double[b.length];
        ScalarKernels.residual(a, x, b, r);
        return ScalarKernels.norm2(r.length, r) / ScalarKernels.norm2(b.length, b);
    }

    @Test
    void sorConvergesOnPoissonWithTheTrueResidualBelowTolerance() {
        CsrMatrix a = PoissonGenerator.poisson2d(10, 10);
        double[] b = PoissonGenerator.ones(a.rows());
        StationaryReport r = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.5, 1e-8, 10_000, null);
        assertEquals(StationaryTermination.CONVERGED, r.termination(), r.toString());
        assertTrue(r.relativeResidual() <= 1e-8);
        assertEquals(trueResidual(a, b, r.x()), r.relativeResidual(), 1e-20);
    }

    @Test
    void omegaOneIsGaussSeidelAndYoungsOmegaIsFarFaster() {
        // 10×10 Poisson: ρ_J = cos(π/11), Young's ω* = 2/(1+sqrt(1−ρ_J²)) (Saad §4.2.5) ≈ 1.56.
        CsrMatrix a = PoissonGenerator.poisson2d(10, 10);
        double[] b = PoissonGenerator.ones(a.rows());
        double rho = Math.cos(Math.PI / 11);
        double young = 2 / (1 + Math.sqrt(1 - rho * rho));
        int gs = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.0, 1e-8, 10_000, null).iterations();
        int opt = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, young, 1e-8, 10_000, null).iterations();
        assertTrue(opt * 3 < gs, "Young " + opt + " vs Gauss-Seidel " + gs);
    }

    @Test
    void ssorConvergesAndCountsAForwardBackwardPairAsOneIteration() {
        CsrMatrix a = PoissonGenerator.poisson2d(8, 8);
        double[] b = PoissonGenerator.ones(a.rows());
        StationaryReport r = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SSOR, 1.3, 1e-8, 10_000, null);
        StationaryReport one = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SSOR, 1.3, 1e-8, 1, null);
        assertEquals(StationaryTermination.CONVERGED, r.termination());
        assertEquals(1, one.iterations());
        assertEquals(StationaryTermination.MAX_ITERATIONS, one.termination());
    }

    @Test
    void warmStartAtTheSolutionTakesNoIterations() {
        CsrMatrix a = PoissonGenerator.poisson2d(6, 6);
        double[] b = PoissonGenerator.ones(a.rows());
        double[] x = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.4, 1e-12, 10_000, null).x();
        assertEquals(0, RelaxationSolver.solve(a, b, x, RelaxationSolver.Sweep.SOR, 1.4, 1e-10, 10_000, null).iterations());
    }

    @Test
    void anInconsistentSingularSystemEndsWithACertificateInsteadOfBurningTheBudget() {
        CsrMatrix a = PoissonGenerator.neumann1d(20);
        double[] b = new double[20];
        b[0] = 1; // bᵀ·1 = 1 ≠ 0: b is not orthogonal to the null space, so no solution exists
        StationaryReport r = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.2, 1e-8, 1_000_000, null);
        assertEquals(StationaryTermination.INCONSISTENT, r.termination(), r.toString());
        assertTrue(r.certificateNorm() > 0, r.toString());
        assertTrue(r.iterations() < 100_000, r.toString());
    }

    @Test
    void aConsistentSingularSystemStillConverges() {
        CsrMatrix a = PoissonGenerator.neumann1d(20);
        double[] b = new double[20];
        b[0] = 1;
        b[19] = -1; // orthogonal to the constants: solvable
        StationaryReport r = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.2, 1e-8, 1_000_000, null);
        assertEquals(StationaryTermination.CONVERGED, r.termination(), r.toString());
    }

    @Test
    void aSlowButConvergentSystemIsNotMistakenForAnInconsistentOne() {
        // Nearly singular (shift 1e-6 on the Neumann Laplacian): converges, very slowly at ω = 1.
        CsrMatrix base = PoissonGenerator.neumann1d(30);
        CooAssembler c = new CooAssembler(30, 30);
        for (int i = 0; i < 30; i++) {
            for (int k = base.rowPtr()[i]; k < base.rowPtr()[i + 1]; k++) {
                c.add(i, base.colIdx()[k], base.values()[k] + (base.colIdx()[k] == i ? 1e-6 : 0));
            }
        }
        CsrMatrix a = c.build();
        double[] b = new double[30];
        b[0] = 1;
        StationaryReport r = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SOR, 1.0, 1e-6, 200_000, null);
        assertTrue(r.termination() == StationaryTermination.CONVERGED || r.termination() == StationaryTermination.MAX_ITERATIONS,
                r.toString());
    }

    @Test
    void omegaOutsideTheOpenIntervalIsRefusedNamingTheField() {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4);
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () ->
                RelaxationSolver.solve(a, PoissonGenerator.ones(16), null, RelaxationSolver.Sweep.SOR, 2.0, 1e-8, 100, null));
        assertEquals("options.omega", e.field());
    }

    @Test
    void aZeroDiagonalIsRefusedNamingTheRow() {
        CsrMatrix a = CooAssembler.fromCoo(2, 2, new int[]{0, 1}, new int[]{1, 0}, new double[]{1, 1});
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () ->
                RelaxationSolver.solve(a, new double[]{1, 1}, null, RelaxationSolver.Sweep.SOR, 1.0, 1e-8, 100, null));
        assertEquals("problem.matrix.diagonal[0]", e.field());
    }

    @Test
    void ssorPreconditionedCgNeedsFewerIterationsThanPlainCg() {
        CsrMatrix a = PoissonGenerator.poisson2d(64, 64);
        double[] b = PoissonGenerator.ones(a.rows());
        SolveReport plain = ConjugateGradient.solve(a, b, null, IdentityPreconditioner.INSTANCE, 1e-8, 5000, null);
        SolveReport ssor = ConjugateGradient.solve(a, b, null, SsorPreconditioner.of(a, 1.8), 1e-8, 5000, null);
        assertEquals(Termination.CONVERGED, ssor.termination(), ssor.toString());
        assertTrue(ssor.relativeResidual() <= 1e-8);
        assertTrue(2 * ssor.iterations() < plain.iterations(), "ssor " + ssor + " plain " + plain);
    }

    @Test
    void ssorPreconditionerEqualsOneSsorIterationFromZero() {
        // x1 of SSOR from x0 = 0 equals M_SSOR⁻¹·b: the preconditioner is exactly the iteration's correction.
        CsrMatrix a = PoissonGenerator.poisson2d(5, 5, 0.3);
        double[] b = new double[25];
        for (int i = 0; i < 25; i++) b[i] = Math.sin(i + 1.0);
        double[] x1 = RelaxationSolver.solve(a, b, null, RelaxationSolver.Sweep.SSOR, 1.3, 1e-30, 1, null).x();
        double[] z = new double[25];
        SsorPreconditioner.of(a, 1.3).apply(b, z);
        for (int i = 0; i < 25; i++) assertEquals(x1[i], z[i], 1e-13);
    }

    @Test
    void ssorApplyIsBitForBitTheTwoTriangularSolvesWithTheScalingBetween() {
        // Saad §10.2.1 written out: (D/ω + L)·y = r; v = (2 − ω)/ω · D·y; (D/ω + U)·z = v, the
        // lower sums in ascending j and the upper ones in descending j (the neighbour's term last).
        // The kernel must give these bits exactly (a fused variant was tried and measured slower).
        CsrMatrix a = PoissonGenerator.poisson2d(7, 6, 0.4);
        int n = a.rows();
        double omega = 1.37;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = Math.cos(3.0 * i + 0.5);
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values(), d = a.diagonal(), y = new double[n], expected = new double[n];
        for (int i = 0; i < n; i++) {
            double s = r[i];
            for (int k = rp[i]; k < rp[i + 1]; k++) if (ci[k] < i) s -= v[k] * y[ci[k]];
            y[i] = s * (omega * (1.0 / d[i]));
        }
        double f = (2 - omega) / omega;
        for (int i = 0; i < n; i++) y[i] *= f * d[i];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = rp[i + 1] - 1; k >= rp[i]; k--) if (ci[k] > i) s -= v[k] * expected[ci[k]];
            expected[i] = s * (omega * (1.0 / d[i]));
        }
        double[] z = new double[n];
        SsorPreconditioner.of(a, omega).apply(r, z);
        for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(z[i]), "z[" + i + "]");
        }
        // both sweep forms (neighbour carried in a register, or reloaded) give these bits
        for (boolean carry : new boolean[] {true, false}) {
            double[] zc = new double[n];
            SsorSolves.apply(SplitMatrix.of(a, carry), omega, r, zc, new double[n]);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(zc[i]), "carry=" + carry + " z[" + i + "]");
            }
        }
    }

    @Test
    void theNeighbourCarryRuleFollowsTheShareOfRowsHoldingTheirLeftNeighbour() {
        // Poisson in natural order: every row but each grid line's first holds a_{i,i−1}
        assertTrue(SplitMatrix.of(PoissonGenerator.poisson2d(8, 8)).carry);
        // a diagonal matrix has no neighbours: the plain loop
        double[] ones = PoissonGenerator.ones(10);
        int[] idx = new int[10];
        for (int i = 0; i < 10; i++) idx[i] = i;
        assertTrue(!SplitMatrix.of(CooAssembler.fromCoo(10, 10, idx, idx, ones)).carry);
    }
}
