package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernelsFp32;
import dev.kiln.solvers.krylov.BiCgStab;
import dev.kiln.solvers.krylov.ChebyshevPreconditioner;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.Gmres;
import dev.kiln.solvers.krylov.IdentityPreconditioner;
import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.krylov.LanczosBounds;
import dev.kiln.solvers.krylov.MixedPrecisionCg;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Krylov solvers, written once above the kernel interface, run on the Vector API kernels
 * and on the scalar reference: same termination, iteration counts within a few percent
 * (reductions are summed in another order), true residuals under the tolerance.
 */
class KrylovOnVectorKernelsTest {

    static double[] ones(int n) {
        double[] b = new double[n];
        Arrays.fill(b, 1);
        return b;
    }

    static double trueRel(CsrMatrix a, double[] b, double[] x) {
        double[] r = new double[b.length];
        ScalarKernels.residual(a, x, b, r);
        return ScalarKernels.norm2(r.length, r) / ScalarKernels.norm2(b.length, b);
    }

    static void similarIterations(SolveReport scalar, SolveReport vector) {
        assertEquals(scalar.termination(), vector.termination(), scalar + " vs " + vector);
        int tolerance = Math.max(3, scalar.iterations() / 20);
        assertTrue(Math.abs(scalar.iterations() - vector.iterations()) <= tolerance, scalar + " vs " + vector);
    }

    @Test
    void cgAndJacobiPcgOnVectorKernelsMatchTheScalarReferenceOnRealAndGeneratedMatrices() {
        for (CsrMatrix a : new CsrMatrix[] {PoissonGenerator.poisson2d(64, 64), TestMatrices.fixture("nos3"),
                TestMatrices.fixture("gr_30_30"), PoissonGenerator.poisson3d(12, 12, 12)}) {
            for (boolean jacobi : new boolean[] {false, true}) {
                Preconditioner m = jacobi ? JacobiPreconditioner.of(a) : IdentityPreconditioner.INSTANCE;
                double[] b = ones(a.rows());
                SolveReport ref = ConjugateGradient.solve(a, b, null, m, 1e-8, 20_000, null);
                for (int threads : new int[] {1, 2}) {
                    PreparedSystem sys = CpuKernels.prepare(a, SpmvFormat.AUTO, threads);
                    SolveReport vec = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, m, 1e-8, 20_000, null, null);
                    similarIterations(ref, vec);
                    assertEquals(Termination.CONVERGED, vec.termination());
                    assertEquals(trueRel(a, b, vec.x()), vec.relativeResidual(), 1e-3 * vec.relativeResidual(), "the two recomputations differ only by rounding");
                    assertTrue(vec.relativeResidual() <= 1e-8);
                }
            }
        }
    }

    @Test
    void withoutAGuessCgIsTheZeroGuessesBitForBitOnEveryFormat() {
        // x0 = null copies b into r0 where a zero x0 runs the residual kernel: each format's
        // row sums of a·0 must be +0 so that b − A·0 is b, −0 entries included
        CsrMatrix a = PoissonGenerator.poisson2d(40, 37);
        double[] b = new double[a.rows()];
        for (int i = 0; i < b.length; i++) b[i] = i % 7 == 0 ? -0.0 : Math.cos(i);
        for (SpmvFormat format : new SpmvFormat[] {SpmvFormat.DIA, SpmvFormat.SELL, SpmvFormat.CSR}) {
            for (int threads : new int[] {1, 2}) {
                PreparedSystem sys = CpuKernels.prepare(a, format, threads);
                Preconditioner m = IncompleteCholeskyPreconditioner.of(a);
                SolveReport none = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, m, 1e-10, 2000, null, null);
                SolveReport zero = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, new double[a.rows()], m, 1e-10, 2000, null, null);
                String where = format + " on " + threads;
                assertEquals(Termination.CONVERGED, none.termination(), where);
                assertEquals(zero.iterations(), none.iterations(), where);
                assertEquals(Double.doubleToLongBits(zero.relativeResidual()), Double.doubleToLongBits(none.relativeResidual()), where);
                for (int i = 0; i < b.length; i++) {
                    assertEquals(Double.doubleToLongBits(zero.x()[i]), Double.doubleToLongBits(none.x()[i]), where + ": x[" + i + "]");
                }
            }
        }
    }

    @Test
    void ic0PcgNeedsFewerIterationsThanJacobiPcgOnPoisson() {
        CsrMatrix a = PoissonGenerator.poisson2d(64, 64);
        PreparedSystem sys = CpuKernels.prepare(a);
        double[] b = ones(a.rows());
        SolveReport jacobi = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, JacobiPreconditioner.of(a), 1e-8, 5000, null, null);
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        SolveReport ic0 = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, ic, 1e-8, 5000, null, null);
        assertEquals(0.0, ic.shift(), "Poisson is an M-matrix: IC(0) needs no shift");
        assertEquals(Termination.CONVERGED, ic0.termination());
        assertTrue(ic0.iterations() < 0.7 * jacobi.iterations(), "ic0 " + ic0 + " jacobi " + jacobi);
    }

    @Test
    void ic0ShiftsTheDiagonalWhenThePlainFactorisationBreaksDownAndStillConverges() {
        CsrMatrix a = TestMatrices.fixture("nos3");
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        SolveReport rep = ConjugateGradient.solve(a, ones(a.rows()), null, ic, 1e-8, 5000, null);
        assertEquals(Termination.CONVERGED, rep.termination(), rep + " shift " + ic.shift());
    }

    @Test
    void chebyshevPcgNeedsFewerIterationsThanPlainCgAndItsBoundsBracketTheJacobiSpectrum() {
        CsrMatrix a = PoissonGenerator.poisson2d(48, 48);
        PreparedSystem sys = CpuKernels.prepare(a);
        double[] inv = JacobiPreconditioner.of(a).inverseDiagonal();
        LanczosBounds bounds = LanczosBounds.estimate(sys.operator(), sys.kernels(), inv, 20);
        // D⁻¹A of the 5-point Laplacian has its spectrum in (0, 2): the Ritz values lie inside
        assertTrue(bounds.min() > 0 && bounds.max() < 2 && bounds.max() > 1.9, bounds.toString());
        ChebyshevPreconditioner cheb = ChebyshevPreconditioner.of(sys.operator(), sys.kernels(), inv, 3);
        double[] b = ones(a.rows());
        SolveReport plain = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, null, 1e-8, 5000, null, null);
        SolveReport rep = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, cheb, 1e-8, 5000, null, null);
        assertEquals(Termination.CONVERGED, rep.termination(), rep.toString());
        // Lanczos' λ_min overestimates, so the polynomial damps the lowest modes only partly: fewer
        // iterations, but far from the degree-fold cut exact bounds would give
        assertTrue(rep.iterations() < plain.iterations(), "chebyshev " + rep + " plain " + plain);
    }

    @Test
    void bicgstabAndGmresSolveANonSymmetricSystemOnBothKernelSets() {
        CsrMatrix a = TestMatrices.random(800, 6, true, 21);
        assertTrue(!a.isSymmetric(1e-12));
        double[] b = TestMatrices.vector(a.rows(), 22);
        PreparedSystem sys = CpuKernels.prepare(a, SpmvFormat.AUTO, 2);
        ScalarCsrOperator sop = new ScalarCsrOperator(a);
        SolveReport bRef = BiCgStab.solve(sop, ScalarKrylovKernels.INSTANCE, b, null, null, 1e-10, 2000, null);
        SolveReport bVec = BiCgStab.solve(sys.operator(), sys.kernels(), b, null, JacobiPreconditioner.of(a), 1e-10, 2000, null);
        SolveReport gRef = Gmres.solve(sop, ScalarKrylovKernels.INSTANCE, b, null, null, 30, 1e-10, 2000, null);
        SolveReport gVec = Gmres.solve(sys.operator(), sys.kernels(), b, null, JacobiPreconditioner.of(a), 30, 1e-10, 2000, null);
        for (SolveReport r : new SolveReport[] {bRef, bVec, gRef, gVec}) {
            assertEquals(Termination.CONVERGED, r.termination(), r.toString());
            assertEquals(trueRel(a, b, r.x()), r.relativeResidual(), 1e-6 * r.relativeResidual());
            assertTrue(r.relativeResidual() <= 1e-10, r.toString());
        }
    }

    @Test
    void gmresSolvesTheConvectionDiffusionLikeNonNormalProblemThatCgCannot() {
        // upwinded 1D convection-diffusion: tridiagonal (−1−c, 2+c, −1), strongly non-symmetric
        int n = 400;
        double c = 5;
        int[] r = new int[3 * n], col = new int[3 * n];
        double[] v = new double[3 * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) { r[k] = i; col[k] = i - 1; v[k++] = -1 - c; }
            r[k] = i; col[k] = i; v[k++] = 2 + c;
            if (i < n - 1) { r[k] = i; col[k] = i + 1; v[k++] = -1; }
        }
        CsrMatrix a = CooAssembler.fromCoo(n, n, Arrays.copyOf(r, k), Arrays.copyOf(col, k), Arrays.copyOf(v, k));
        PreparedSystem sys = CpuKernels.prepare(a);
        SolveReport g = Gmres.solve(sys.operator(), sys.kernels(), ones(n), null, null, 30, 1e-9, 10_000, null);
        assertEquals(Termination.CONVERGED, g.termination(), g.toString());
    }

    @Test
    void aOneByOneSystemIsSolvedInOneIterationByEverySolver() {
        CsrMatrix a = CooAssembler.fromCoo(1, 1, new int[] {0}, new int[] {0}, new double[] {4});
        PreparedSystem sys = CpuKernels.prepare(a);
        double[] b = {2};
        SolveReport cg = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, null, 1e-12, 10, null, null);
        SolveReport bi = BiCgStab.solve(sys.operator(), sys.kernels(), b, null, null, 1e-12, 10, null);
        SolveReport gm = Gmres.solve(sys.operator(), sys.kernels(), b, null, null, 30, 1e-12, 10, null);
        for (SolveReport r : new SolveReport[] {cg, bi, gm}) {
            assertEquals(Termination.CONVERGED, r.termination(), r.toString());
            assertEquals(0.5, r.x()[0], 1e-15);
            assertEquals(1, r.iterations());
        }
    }

    @Test
    void cgReportsNotSpdOnAnIndefiniteMatrixOnVectorKernels() {
        CsrMatrix a = CooAssembler.fromCoo(3, 3, new int[] {0, 1, 2}, new int[] {0, 1, 2}, new double[] {1, -1, 2});
        PreparedSystem sys = CpuKernels.prepare(a);
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), ones(3), null, null, 1e-10, 100, null, null);
        assertEquals(Termination.NOT_SPD, r.termination());
    }

    /** The graph Laplacian of a path: symmetric positive semi-definite, null space = constants. */
    static CsrMatrix pathLaplacian(int n) {
        int[] r = new int[3 * n], c = new int[3 * n];
        double[] v = new double[3 * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int deg = (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0);
            if (i > 0) { r[k] = i; c[k] = i - 1; v[k++] = -1; }
            r[k] = i; c[k] = i; v[k++] = deg;
            if (i < n - 1) { r[k] = i; c[k] = i + 1; v[k++] = -1; }
        }
        return CooAssembler.fromCoo(n, n, Arrays.copyOf(r, k), Arrays.copyOf(c, k), Arrays.copyOf(v, k));
    }

    @Test
    void cgSolvesASingularButConsistentSystem() {
        CsrMatrix a = pathLaplacian(200);
        double[] b = new double[200];
        b[10] = 1;
        b[150] = -1;                                      // sums to zero: in the range of A
        PreparedSystem sys = CpuKernels.prepare(a);
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, null, 1e-10, 2000, null, null);
        assertEquals(Termination.CONVERGED, r.termination(), r.toString());
    }

    @Test
    void gmresStopsAsStagnatedOnASingularInconsistentSystemInsteadOfRunningToTheBudget() {
        CsrMatrix a = pathLaplacian(200);
        double[] b = ones(200);                           // constants are orthogonal to the range: no solution
        PreparedSystem sys = CpuKernels.prepare(a);
        SolveReport r = Gmres.solve(sys.operator(), sys.kernels(), b, null, null, 30, 1e-8, 100_000, null);
        assertTrue(r.termination() == Termination.STAGNATED || r.termination() == Termination.BREAKDOWN, r.toString());
        assertTrue(r.iterations() < 100_000, r.toString());
        assertTrue(r.relativeResidual() > 0.5, "the least-squares residual stays: " + r);
    }

    @Test
    void aNanInTheRightHandSideIsReportedAsDivergedByEverySolver() {
        CsrMatrix a = PoissonGenerator.poisson2d(10, 10);
        double[] b = ones(100);
        b[42] = Double.NaN;
        PreparedSystem sys = CpuKernels.prepare(a);
        assertEquals(Termination.DIVERGED, ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, null, 1e-8, 100, null, null).termination());
        assertEquals(Termination.DIVERGED, BiCgStab.solve(sys.operator(), sys.kernels(), b, null, null, 1e-8, 100, null).termination());
        assertEquals(Termination.DIVERGED, Gmres.solve(sys.operator(), sys.kernels(), b, null, null, 30, 1e-8, 100, null).termination());
    }

    @Test
    void illConditionedBusMatrixConvergesWithJacobiPcgOnVectorKernelsWithAnHonestResidual() {
        CsrMatrix a = TestMatrices.fixture("1138_bus");
        PreparedSystem sys = CpuKernels.prepare(a);
        double[] b = ones(a.rows());
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, JacobiPreconditioner.of(a), 1e-8, 20_000, null, null);
        assertEquals(Termination.CONVERGED, r.termination(), r.toString());
        // cond ≈ 8.6e6: the residual itself carries rounding of order cond·ε, so compare to 1%
        assertTrue(trueRel(a, b, r.x()) <= 1.01e-8, "scalar recomputation " + trueRel(a, b, r.x()));
    }
    @Test
    void mixedPrecisionRefinementOnVectorKernelsMatchesTheScalarReference() {
        for (CsrMatrix a : new CsrMatrix[] {PoissonGenerator.poisson2d(64, 64), TestMatrices.fixture("nos3"),
                TestMatrices.fixture("gr_30_30")}) {
            double[] b = ones(a.rows());
            double[] inv = JacobiPreconditioner.of(a).inverseDiagonal();
            float[] inv32 = new float[inv.length];
            for (int i = 0; i < inv.length; i++) inv32[i] = (float) inv[i];
            MixedPrecisionCg.Result ref = MixedPrecisionCg.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE,
                    new ScalarCsrOperatorFp32(a), ScalarKrylovKernelsFp32.INSTANCE, b, null, inv32, 1e-10, 20_000, null);
            for (int threads : new int[] {1, 2}) {
                PreparedSystem sys = CpuKernels.prepare(a, SpmvFormat.SELL, threads);
                PreparedSystemFp32 sys32 = CpuKernels.prepareFp32(a, SpmvFormat.SELL, threads);
                MixedPrecisionCg.Result vec = MixedPrecisionCg.solve(sys.operator(), sys.kernels(), sys32.operator(),
                        sys32.kernels(), b, null, inv32, 1e-10, 20_000, null);
                assertEquals(Termination.CONVERGED, vec.report().termination(), a + " " + vec.report());
                // fp32 vectors: another summation order moves the inner solves more than in fp64
                int slack = Math.max(5, ref.report().iterations() / 7);
                assertTrue(Math.abs(ref.report().iterations() - vec.report().iterations()) <= slack, ref.report() + " vs " + vec.report());
                assertTrue(trueRel(a, b, vec.report().x()) <= 1e-10, a + ": " + trueRel(a, b, vec.report().x()));
            }
        }
    }
}
