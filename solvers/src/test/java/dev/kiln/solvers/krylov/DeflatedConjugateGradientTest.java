package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeflatedConjugateGradientTest {
    static final double TOL = 1e-8;
    static final RecyclingSettings START_ONLY = new RecyclingSettings(8, 24, false);
    static final RecyclingSettings DEFLATED = new RecyclingSettings(8, 24, true);

    static DeflatedSolveReport solve(CsrMatrix a, double[] b, double[] x0, Preconditioner m, RecycledSubspace w,
                                     double[][] extra, RecyclingSettings s, int maxIt) {
        return DeflatedConjugateGradient.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE, b, x0, m, w, extra, s,
                TOL, maxIt, null);
    }

    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-1, 1);
        return v;
    }

    static double trueResidual(CsrMatrix a, double[] b, double[] x) {
        return ConjugateGradientTest.trueRelativeResidual(a, b, x);
    }

    /** ‖x − x*‖_A. */
    static double energyError(CsrMatrix a, double[] x, double[] exact) {
        double[] e = new double[x.length], ae = new double[x.length];
        for (int i = 0; i < x.length; i++) e[i] = x[i] - exact[i];
        a.multiply(e, ae);
        double s = 0;
        for (int i = 0; i < x.length; i++) s += e[i] * ae[i];
        return Math.sqrt(s);
    }

    @Test
    void withNothingRecycledItTakesExactlyThePlainCgIterations() {
        CsrMatrix a = PoissonGenerator.poisson2d(20, 20);
        double[] b = random(a.rows(), 1);
        SolveReport cg = ConjugateGradient.solve(a, b, null, JacobiPreconditioner.of(a), TOL, 10_000, null);
        DeflatedSolveReport d = solve(a, b, null, JacobiPreconditioner.of(a), null, null, new RecyclingSettings(0, 0, true), 10_000);
        assertEquals(cg.iterations(), d.report().iterations());
        assertTrue(d.report().converged());
        assertTrue(trueResidual(a, b, d.report().x()) <= TOL);
    }

    @Test
    void harvestedRitzValuesAreTheRayleighQuotientsOfTheHarvestedVectors() {
        // Checks the Lanczos bookkeeping (T from α, β, the C and D blocks) against explicit products.
        CsrMatrix a = PoissonGenerator.poisson2d(24, 24, 0.0, (x, y) -> 1 + x * y);
        double[] d = a.diagonal();
        for (RecyclingSettings s : new RecyclingSettings[]{START_ONLY, DEFLATED}) {
            RecycledSubspace w = null;
            for (int round = 0; round < 3; round++) {
                DeflatedSolveReport r = solve(a, random(a.rows(), 10 + round), null, JacobiPreconditioner.of(a), w, null, s, 10_000);
                assertTrue(r.report().converged());
                w = r.harvested();
                assertNotNull(w, "a solve longer than the window harvests");
                for (int i = 0; i < w.size(); i++) {
                    double[] v = w.basis()[i], av = new double[v.length];
                    a.multiply(v, av);
                    double num = 0, den = 0;
                    for (int j = 0; j < v.length; j++) { num += v[j] * av[j]; den += v[j] * v[j] * d[j]; }
                    assertEquals(w.ritzValues()[i], num / den, 1e-8 * Math.abs(num / den), s + " round " + round + " vector " + i);
                    assertEquals(1.0, den, 1e-8, "harvested vectors are M-orthonormal");
                }
            }
        }
    }

    @Test
    void harvestingAcrossSolvesImprovesTheRitzValuesTowardsTheSmallestEigenvalues() {
        int m = 16;
        CsrMatrix a = PoissonGenerator.poisson2d(m, m);
        // λ_ij = 4 − 2cos(iπh) − 2cos(jπh), h = 1/(m+1): the two smallest are λ_11 < λ_12 = λ_21.
        double h = 1.0 / (m + 1);
        double l11 = 4 - 4 * Math.cos(Math.PI * h), l12 = 4 - 2 * Math.cos(Math.PI * h) - 2 * Math.cos(2 * Math.PI * h);
        RecycledSubspace w = null;
        double previous = Double.POSITIVE_INFINITY;
        for (int round = 0; round < 6; round++) {
            DeflatedSolveReport r = solve(a, random(a.rows(), 20 + round), null, null, w, null, DEFLATED, 10_000);
            assertNotNull(r.harvested());
            w = r.harvested();
            double theta = w.ritzValues()[0];
            // Rayleigh–Ritz on a space containing the previous W: never above the previous value, never below λ_min
            assertTrue(theta <= previous * (1 + 1e-12), "round " + round + ": " + theta + " after " + previous);
            assertTrue(theta >= l11 * (1 - 1e-12));
            previous = theta;
        }
        assertEquals(l11, w.ritzValues()[0], 2e-3 * l11);
        assertEquals(l12, w.ritzValues()[1], 2e-2 * l12);
    }

    @Test
    void exactEigenvectorsCutTheIterationsOfDeflatedCg() {
        int m = 30;
        CsrMatrix a = PoissonGenerator.poisson2d(m, m);
        int k = 6;
        double[][] basis = new double[k][];
        double[] ritz = new double[k];
        int[][] modes = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 3}, {3, 1}};
        for (int q = 0; q < k; q++) {
            int p = modes[q][0], r = modes[q][1];
            basis[q] = PoissonGenerator.sample2d(m, m, (x, y) -> Math.sin(p * Math.PI * x) * Math.sin(r * Math.PI * y));
            ritz[q] = q;
        }
        double[] b = random(a.rows(), 3);
        int plain = ConjugateGradient.solve(a, b, null, null, TOL, 10_000, null).iterations();
        DeflatedSolveReport d = solve(a, b, null, null, new RecycledSubspace(basis, ritz), null, new RecyclingSettings(0, 0, true), 10_000);
        assertEquals(k, d.deflatedVectors());
        assertTrue(d.report().converged());
        assertTrue(trueResidual(a, b, d.report().x()) <= TOL);
        assertTrue(d.report().iterations() < 0.8 * plain, "deflated " + d.report().iterations() + " vs plain " + plain);
    }

    @Test
    void aSubspaceThatFitsNothingStillMeetsTheTolerance() {
        // Recycling never returns a worse residual than requested: random "Ritz vectors" and
        // random "earlier solutions", in both iteration modes.
        CsrMatrix a = PoissonGenerator.poisson2d(20, 20, 0.01);
        double[] b = random(a.rows(), 4);
        double[][] junk = new double[5][];
        for (int i = 0; i < junk.length; i++) junk[i] = random(a.rows(), 100 + i);
        RecycledSubspace w = new RecycledSubspace(junk, new double[]{1, 2, 3, 4, 5});
        double[][] extra = {random(a.rows(), 7), random(a.rows(), 8)};
        for (RecyclingSettings s : new RecyclingSettings[]{START_ONLY, DEFLATED}) {
            DeflatedSolveReport d = solve(a, b, random(a.rows(), 9), JacobiPreconditioner.of(a), w, extra, s, 10_000);
            assertTrue(d.report().converged(), s.toString());
            assertTrue(d.report().relativeResidual() <= TOL);
            assertTrue(trueResidual(a, b, d.report().x()) <= TOL);
        }
    }

    @Test
    void aSubspaceHarvestedFromAnotherMatrixStillMeetsTheTolerance() {
        CsrMatrix first = PoissonGenerator.poisson2d(20, 20, 0.0, (x, y) -> 1 + 50 * x);
        CsrMatrix other = PoissonGenerator.poisson2d(20, 20, 3.0, (x, y) -> 1 + 50 * y * y);
        RecycledSubspace w = solve(first, random(first.rows(), 1), null, JacobiPreconditioner.of(first), null, null, DEFLATED, 10_000).harvested();
        assertNotNull(w);
        double[] b = random(other.rows(), 2);
        for (RecyclingSettings s : new RecyclingSettings[]{START_ONLY, DEFLATED}) {
            DeflatedSolveReport d = solve(other, b, null, JacobiPreconditioner.of(other), w, null, s, 10_000);
            assertTrue(d.report().converged());
            assertTrue(trueResidual(other, b, d.report().x()) <= TOL);
        }
    }

    @Test
    void anIndefiniteMatrixEndsAsPlainCgWouldNeverAsConverged() {
        CooAssembler c = new CooAssembler(4, 4);
        double[] diag = {2, 1, -1, 3};
        for (int i = 0; i < 4; i++) c.add(i, i, diag[i]);
        CsrMatrix a = c.build();
        double[] b = {1, 1, 1, 1};
        double[][] basis = {{0, 0, 1, 0}};                  // spans the negative direction: WᵀAW < 0
        DeflatedSolveReport d = solve(a, b, null, null, new RecycledSubspace(basis, new double[]{-1}), null, DEFLATED, 100);
        assertEquals(0, d.deflatedVectors(), "an indefinite WᵀAW refuses the subspace");
        SolveReport plain = ConjugateGradient.solve(a, b, null, null, TOL, 100, null);
        assertEquals(plain.termination(), d.report().termination());
        assertTrue(!d.report().converged() || trueResidual(a, b, d.report().x()) <= TOL);
    }

    @Test
    void theGalerkinStartIsNeverWorseInEnergyThanTheWarmStart() {
        CsrMatrix a = PoissonGenerator.poisson2d(16, 16, 0.05);
        double[] exact = random(a.rows(), 5), b = new double[a.rows()];
        a.multiply(exact, b);
        double[] x0 = exact.clone();
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < x0.length; i++) x0[i] = 1.7 * x0[i] + 0.05 * r.nextDouble(-1, 1); // wrong scale, some noise
        double[][] extra = {random(a.rows(), 11)};
        DeflatedSolveReport d = solve(a, b, x0, null, null, extra, START_ONLY, 0);
        assertEquals(0, d.report().iterations());
        assertTrue(energyError(a, d.report().x(), exact) <= energyError(a, x0, exact));
        assertTrue(energyError(a, d.report().x(), exact) < 0.1 * energyError(a, x0, exact), "the optimal scale fixes the 1.7");
    }

    @Test
    void earlierSolutionsOfASlowlyVaryingFamilyStartTheNextOneCloserThanTheNearestAlone() {
        int m = 24;
        double[] b = random(m * m, 12);
        double[][] sols = new double[3][];
        for (int i = 0; i < 3; i++) {
            CsrMatrix ai = PoissonGenerator.poisson2d(m, m, 0.1 * (1 + 0.1 * i));
            sols[i] = ConjugateGradient.solve(ai, b, null, null, 1e-12, 10_000, null).x();
        }
        CsrMatrix next = PoissonGenerator.poisson2d(m, m, 0.1 * 1.3);
        DeflatedSolveReport nearestOnly = solve(next, b, sols[2], null, null, null, START_ONLY, 0);
        DeflatedSolveReport all = solve(next, b, sols[2], null, null, new double[][]{sols[1], sols[0]}, START_ONLY, 0);
        assertTrue(all.initialResidual() < 0.05 * nearestOnly.initialResidual(),
                all.initialResidual() + " vs " + nearestOnly.initialResidual());
    }

    @Test
    void theExactSolutionAsWarmStartNeedsNoIteration() {
        CsrMatrix a = PoissonGenerator.poisson2d(12, 12);
        double[] b = random(a.rows(), 13);
        double[] x = ConjugateGradient.solve(a, b, null, null, 1e-13, 10_000, null).x();
        DeflatedSolveReport d = solve(a, b, x, null, null, null, START_ONLY, 10_000);
        assertEquals(0, d.report().iterations());
        assertTrue(d.report().converged());
        assertNull(d.harvested(), "nothing to harvest without iterations");
    }

    @Test
    void aStoppingMonitorEndsTheSolveStopped() {
        CsrMatrix a = PoissonGenerator.poisson2d(20, 20);
        DeflatedSolveReport d = DeflatedConjugateGradient.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE,
                random(a.rows(), 14), null, null, null, null, DEFLATED, TOL, 10_000, (it, res) -> it < 5);
        assertEquals(Termination.STOPPED, d.report().termination());
        assertEquals(5, d.report().iterations());
    }

    @Test
    void aSubspaceOfTheWrongLengthIsRejectedNamingBothLengths() {
        CsrMatrix a = PoissonGenerator.poisson2d(4, 4);
        RecycledSubspace w = new RecycledSubspace(new double[][]{new double[3]}, new double[]{1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> solve(a, new double[16], null, null, w, null, START_ONLY, 10));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("16"), e.getMessage());
    }
}
