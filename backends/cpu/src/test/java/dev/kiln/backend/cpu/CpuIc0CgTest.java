package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.ConversionCache;
import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.Ic0Cache;
import dev.kiln.backend.cpu.kernel.Ic0OrderingRule;
import dev.kiln.backend.cpu.kernel.LevelScheduledIc0;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IC(0)-PCG deciding A's ordering in the solve ({@link CpuIc0Cg#solveDeciding}): a nearly exact
 * factor runs to the end in A's own order, and so does one whose pattern the ordering rule keeps
 * there; a slow one the rule would renumber is stopped, renumbered and
 * solved again in the faster ordering, answering exactly as that factor's own solve does; either
 * way the answer is the reference IC(0)-PCG's within its iteration count and the tolerance.
 */
class CpuIc0CgTest {
    private static final double TOL = 1e-8;

    private static double[] ones(int n) {
        double[] b = new double[n];
        Arrays.fill(b, 1.0);
        return b;
    }

    /** Iterations the caller's monitor saw, in order. */
    private static final class Seen {
        final List<Integer> iterations = new ArrayList<>();

        boolean proceed(int iteration, double rel) {
            iterations.add(iteration);
            return true;
        }

        /** 1, 2, …, n: each iteration of the returned run once, none of a stopped run's. */
        void assertCounts(int n) {
            assertEquals(n, iterations.size(), iterations.toString());
            for (int i = 0; i < n; i++) assertEquals(i + 1, iterations.get(i), iterations.toString());
        }
    }

    @Test
    void aNearlyExactFactorRunsToTheEndUnprobedAndConvertsNothing() {
        // past the probe's size bound; σ = 1000 makes IC(0) almost exact (first cut ≈ 1.6e-7)
        // (sizes no other test uses: P·A·Pᵀ's conversions are cached by A's fingerprint)
        CsrMatrix easy = PoissonGenerator.poisson2d(150, 152, 1000.0);
        assertTrue(Ic0Cache.probes(easy));
        int parts = CpuKernels.ic0Parts(easy);
        LevelScheduledIc0 natural = Ic0Cache.natural(easy, parts);
        double[] b = ones(easy.rows());
        CpuKernels.prepare(easy);
        int conversions = ConversionCache.shared().size();
        Seen seen = new Seen();
        CpuIc0Cg.Decided d = CpuIc0Cg.solveDeciding(natural, easy, b, null, TOL, 100, seen::proceed);
        assertFalse(d.renumbered());
        assertTrue(d.settled());
        assertSame(natural, d.factor());
        assertEquals(conversions, ConversionCache.shared().size(), "P·A·Pᵀ was converted: the factor was renumbered");
        assertEquals(Termination.CONVERGED, d.report().termination());
        assertTrue(d.report().iterations() <= 4, "took " + d.report().iterations());
        seen.assertCounts(d.report().iterations());
        // the same run as the natural factor's own solve, bit for bit
        SolveReport plain = CpuIc0Cg.solve(natural, b, null, TOL, 100, null);
        assertEquals(plain.iterations(), d.report().iterations());
        assertArrayEquals(plain.x(), d.report().x());
        assertReference(easy, b, d.report());
    }

    @Test
    void aSlowFactorIsStoppedAtTheFirstIterationRenumberedAndSolvedAgainInTheLevelOrder() {
        CsrMatrix hard = PoissonGenerator.poisson2d(152, 150);      // first cut ≈ 5.4: the residual grows
        assertTrue(Ic0Cache.probes(hard));
        int parts = CpuKernels.ic0Parts(hard);
        LevelScheduledIc0 natural = Ic0Cache.natural(hard, parts);
        double[] b = ones(hard.rows());
        Seen seen = new Seen();
        CpuIc0Cg.Decided d = CpuIc0Cg.solveDeciding(natural, hard, b, null, TOL, 1000, seen::proceed);
        assertTrue(d.renumbered());
        assertTrue(d.settled());
        assertEquals(LevelScheduledIc0.Ordering.LEVELS, d.factor().ordering());
        assertEquals(Termination.CONVERGED, d.report().termination());
        seen.assertCounts(d.report().iterations());                // the stopped iteration is not passed on
        assertSameRun(CpuIc0Cg.solve(d.factor(), b, null, TOL, 1000, null), d.report());
        assertReference(hard, b, d.report());
    }

    @Test
    void aFactorThatCutsWellAtFirstButRunsLongIsRenumberedAfterProbeIterations() {
        // two uncoupled blocks: b almost all on a nearly exact one (σ = 1000), 1e-4 of it on a
        // plain Laplacian; the first iteration clears the first block (cut ≈ 1e-4 < NEARLY_EXACT)
        // but the second needs tens of iterations more
        CsrMatrix easy = PoissonGenerator.poisson2d(120, 120, 1000.0), hard = PoissonGenerator.poisson2d(120, 120);
        CsrMatrix a = blockDiagonal(easy, hard);
        assertTrue(Ic0Cache.probes(a));
        double[] b = new double[a.rows()];
        for (int i = 0; i < a.rows(); i++) b[i] = i < easy.rows() ? 1.0 : 1e-4;
        double[] first = new double[1];
        SolveReport plain = CpuIc0Cg.solve(Ic0Cache.natural(a, CpuKernels.ic0Parts(a)), b, null, TOL, 1000,
                (it, rel) -> { if (it == 1) first[0] = rel; return true; });
        assertTrue(first[0] < Ic0Cache.NEARLY_EXACT, "first cut " + first[0]);
        assertTrue(plain.iterations() > Ic0Cache.PROBE_ITERATIONS, "took " + plain.iterations());

        Seen seen = new Seen();
        CpuIc0Cg.Decided d = CpuIc0Cg.solveDeciding(Ic0Cache.natural(a, CpuKernels.ic0Parts(a)), a, b, null, TOL, 1000, seen::proceed);
        assertTrue(d.renumbered());
        // the caller saw the stopped run's first PROBE_ITERATIONS − 1 iterations (its monitor may
        // cancel them), then the returned run's from 1
        int stopped = Ic0Cache.PROBE_ITERATIONS - 1, n = d.report().iterations();
        assertEquals(stopped + n, seen.iterations.size(), seen.iterations.toString());
        for (int i = 0; i < stopped; i++) assertEquals(i + 1, seen.iterations.get(i));
        for (int i = 0; i < n; i++) assertEquals(i + 1, seen.iterations.get(stopped + i));
        assertSameRun(CpuIc0Cg.solve(d.factor(), b, null, TOL, 1000, null), d.report());
        assertReference(a, b, d.report());
    }

    @Test
    void aLongRunOnAPatternTheRuleKeepsRunsToTheEndInItsOwnOrder() {
        CsrMatrix a = PoissonGenerator.poisson3d(31, 30, 29);       // past the size bound; 3 lower entries a row
        assertTrue(Ic0Cache.probes(a));
        int parts = CpuKernels.ic0Parts(a);
        LevelScheduledIc0 natural = Ic0Cache.natural(a, parts);
        assertFalse(Ic0OrderingRule.of(natural).prefersLevels());
        double[] b = ones(a.rows());
        CpuKernels.prepare(a);
        int conversions = ConversionCache.shared().size();
        Seen seen = new Seen();
        CpuIc0Cg.Decided d = CpuIc0Cg.solveDeciding(natural, a, b, null, TOL, 1000, seen::proceed);
        assertFalse(d.renumbered());
        assertSame(natural, d.factor());
        assertEquals(Termination.CONVERGED, d.report().termination());
        assertTrue(d.report().iterations() > Ic0Cache.PROBE_ITERATIONS, "took " + d.report().iterations());
        seen.assertCounts(d.report().iterations());                // never stopped
        assertEquals(conversions, ConversionCache.shared().size(), "P·A·Pᵀ was converted");
        assertReference(a, b, d.report());
    }

    @Test
    void aSmallMatrixIsNeverProbedAndAFactorInAnotherOrderingIsRefused() {
        CsrMatrix small = PoissonGenerator.poisson2d(60, 60);         // 17 760 non-zeros, 1st cut > 1
        assertFalse(Ic0Cache.probes(small));
        LevelScheduledIc0 natural = Ic0Cache.natural(small, 1);
        double[] b = ones(small.rows());
        CpuIc0Cg.Decided d = CpuIc0Cg.solveDeciding(natural, small, b, null, TOL, 1000, null);
        assertFalse(d.renumbered());
        assertSame(natural, d.factor());
        assertReference(small, b, d.report());
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(natural, small, 1);
        assertThrows(IllegalArgumentException.class, () -> CpuIc0Cg.solveDeciding(levels, small, b, null, TOL, 1000, null));
    }

    @Test
    void theBackendCachesASettledDecisionAndNotARunStoppedBeforeIt() {
        CsrMatrix a = PoissonGenerator.poisson2d(151, 149, 1000.0);  // a matrix no other test caches
        int parts = CpuKernels.ic0Parts(a);
        double[] b = ones(a.rows());
        LinearProblem p = LinearProblem.of(a, b, null);
        LinearOptions o = new LinearOptions(LinearMethod.PCG, "ic0", Double.NaN, TOL, 100, Precision.FP64, true);
        SolveReport stopped = CpuIc0Cg.solve(p, o, (it, rel) -> false);   // cancelled at its first iteration
        assertEquals(Termination.STOPPED, stopped.termination());
        assertNull(Ic0Cache.shared().cached(a, parts), "a stopped run decided nothing");
        SolveReport r = CpuIc0Cg.solve(p, o, null);
        assertEquals(Termination.CONVERGED, r.termination());
        LevelScheduledIc0 kept = Ic0Cache.shared().cached(a, parts);
        assertEquals(LevelScheduledIc0.Ordering.NATURAL, kept.ordering());
        assertArrayEquals(r.x(), CpuIc0Cg.solve(p, o, null).x(), "the cached factor answers as the deciding run did");
        assertSame(kept, Ic0Cache.shared().cached(a, parts));
    }

    /**
     * The chosen factor's own solve: the same iterations and x within rounding (not bit for bit:
     * measured here, a JVM's first IC(0)-PCG on Poisson 152×150 on two parts differed from its
     * next five, identical to each other, in the last bits of x — kernels not yet compiled).
     */
    private static void assertSameRun(SolveReport own, SolveReport decided) {
        assertEquals(own.iterations(), decided.iterations());
        for (int i = 0; i < own.x().length; i++) {
            assertEquals(own.x()[i], decided.x()[i], 1e-12 * Math.abs(own.x()[i]), "x[" + i + "]");
        }
    }

    /** The reference IC(0)-PCG (scalar kernels, A's order): the same preconditioner, so within an iteration, and both under tol. */
    private static void assertReference(CsrMatrix a, double[] b, SolveReport r) {
        SolveReport ref = ConjugateGradient.solve(a, b, null, IncompleteCholeskyPreconditioner.of(a), TOL, 5000, null);
        assertEquals(ref.iterations(), r.iterations(), 1);
        assertTrue(r.relativeResidual() <= TOL, "true residual " + r.relativeResidual());
        double diff = 0, norm = 0;
        for (int i = 0; i < a.rows(); i++) {
            diff = Math.max(diff, Math.abs(r.x()[i] - ref.x()[i]));
            norm = Math.max(norm, Math.abs(ref.x()[i]));
        }
        assertTrue(diff <= 1e-6 * norm, "x differs from the reference's by " + diff + " of " + norm);
    }

    /** diag(A, B) in CSR. */
    private static CsrMatrix blockDiagonal(CsrMatrix a, CsrMatrix b) {
        int n = a.rows() + b.rows(), nnz = a.nnz() + b.nnz();
        int[] ptr = new int[n + 1], col = new int[nnz];
        double[] val = new double[nnz];
        System.arraycopy(a.rowPtr(), 0, ptr, 0, a.rows() + 1);
        System.arraycopy(a.colIdx(), 0, col, 0, a.nnz());
        System.arraycopy(a.values(), 0, val, 0, a.nnz());
        for (int i = 1; i <= b.rows(); i++) ptr[a.rows() + i] = a.nnz() + b.rowPtr()[i];
        for (int q = 0; q < b.nnz(); q++) col[a.nnz() + q] = a.rows() + b.colIdx()[q];
        System.arraycopy(b.values(), 0, val, a.nnz(), b.nnz());
        return CsrMatrix.of(n, n, ptr, col, val);
    }
}
