package dev.kiln.backend.cpu;

import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.conformance.ReferenceJobs;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.kiln.backend.cpu.QuboSearchFixtures.UNBOUNDED;
import static dev.kiln.backend.cpu.QuboSearchFixtures.randomStart;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakoutLocalSearchTest {

    /** A random graph on n vertices, each pair an edge with probability p, every edge of weight w (or ±w at random). */
    static MaxCutGraph randomGraph(int n, double p, double w, boolean mixedSigns, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (r.nextDouble() < p) edges.add(new int[] {i, j});
        int[] u = new int[edges.size()];
        int[] v = new int[edges.size()];
        double[] ws = new double[edges.size()];
        for (int k = 0; k < u.length; k++) {
            u[k] = edges.get(k)[0];
            v[k] = edges.get(k)[1];
            ws[k] = mixedSigns && r.nextBoolean() ? -w : w;
        }
        return MaxCutGraph.of(n, u, v, ws, "edges");
    }

    @Test
    void findsTheBruteForceOptimumOfSmallRandomQubosFromARandomStart() {
        for (long seed = 1; seed <= 4; seed++) {
            QuboProblem q = ReferenceJobs.randomQubo(18, 0.4, seed);
            BreakoutLocalSearch s = new BreakoutLocalSearch(q);
            s.search(randomStart(18, seed), seed, 20_000, UNBOUNDED);
            assertEquals(ReferenceJobs.bruteForceMinimum(q), s.bestEnergy(), "instance " + seed);
        }
    }

    @Test
    void findsTheMaximumCutOfSmallUnweightedGraphs() {
        for (long seed = 1; seed <= 4; seed++) {
            QuboProblem q = randomGraph(18, 0.25, 1, false, seed).toQubo();
            BreakoutLocalSearch s = new BreakoutLocalSearch(q);
            s.search(randomStart(18, seed + 10), seed, 20_000, UNBOUNDED);
            assertEquals(ReferenceJobs.bruteForceMinimum(q), s.bestEnergy(), "graph " + seed);
        }
    }

    @Test
    void reportedBestEnergyIsTheEnergyOfTheReportedStateAndTheBudgetHolds() {
        QuboProblem q = ReferenceJobs.randomQubo(80, 0.1, 7);
        BreakoutLocalSearch s = new BreakoutLocalSearch(q);
        long flips = s.search(randomStart(80, 3), 5, 3000, UNBOUNDED);
        assertEquals(3000, flips);
        assertEquals(q.energy(s.best()), s.bestEnergy(), 1e-9);
    }

    @Test
    void neverEndsWorseThanItsStart() {
        QuboProblem q = ReferenceJobs.randomQubo(60, 0.2, 8);
        byte[] start = randomStart(60, 4);
        BreakoutLocalSearch s = new BreakoutLocalSearch(q);
        s.search(start, 9, 1, UNBOUNDED);
        assertTrue(s.bestEnergy() <= q.energy(start));
    }

    @Test
    void sameStartAndSeedGiveTheSameSearch() {
        QuboProblem q = randomGraph(120, 0.05, 1, false, 9).toQubo();
        byte[] start = randomStart(120, 5);
        BreakoutLocalSearch a = new BreakoutLocalSearch(q);
        BreakoutLocalSearch b = new BreakoutLocalSearch(q);
        a.search(start, 42, 50_000, UNBOUNDED);
        b.search(randomStart(120, 6), 1, 7_000, UNBOUNDED); // a different search first: no state carries over
        b.search(start, 42, 50_000, UNBOUNDED);
        assertEquals(a.bestEnergy(), b.bestEnergy());
        assertArrayEquals(a.best(), b.best());
    }

    @Test
    void stopsAsSoonAsTheGuardRefusesAnImprovement() {
        QuboProblem q = ReferenceJobs.randomQubo(60, 0.2, 10);
        byte[] start = randomStart(60, 7);
        BreakoutLocalSearch s = new BreakoutLocalSearch(q);
        long flips = s.search(start, 3, 1_000_000, new TabuSearch.Guard() {
            @Override
            public boolean proceed() { return true; }

            @Override
            public boolean improved(double bestEnergy) { return false; }
        });
        assertTrue(flips > 0 && flips < 1000, "stopped at the first local optimum better than the start, after " + flips + " flips");
        assertTrue(s.bestEnergy() < q.energy(start));
    }

    @Test
    void solverUsesBreakoutOnlyForSparseUnweightedMaxCut() {
        assertTrue(CpuQuboSolver.searchesByBreakout(randomGraph(60, 0.1, 1, false, 11).toQubo()), "mean degree 6, unit weights");
        assertTrue(CpuQuboSolver.searchesByBreakout(randomGraph(60, 0.1, 3, false, 11).toQubo()), "one positive weight is unweighted up to scale");
        assertFalse(CpuQuboSolver.searchesByBreakout(randomGraph(60, 0.1, 1, true, 11).toQubo()), "±1 weights");
        assertFalse(CpuQuboSolver.searchesByBreakout(randomGraph(60, 0.5, 1, false, 11).toQubo()), "mean degree 30");
        assertFalse(CpuQuboSolver.searchesByBreakout(ReferenceJobs.randomQubo(60, 0.05, 11)), "a QUBO, not a Max-Cut");
    }

    @Test
    void aReadBoundedBreakoutRunGivesTheSameAnswerOnOneOrTwoThreads() {
        QuboProblem q = randomGraph(150, 0.05, 1, false, 12).toQubo();
        assertTrue(CpuQuboSolver.searchesByBreakout(q));
        QuboOptions d = QuboOptions.defaults();
        QuboOptions o = new QuboOptions(0, 40, 5, Double.NaN, 0, d.schedule(), Double.NaN, Double.NaN, d.stepsPerTemperature(), d.refractScaling());
        QuboRun one = new CpuQuboSolver(1).run(q, o, 42, Cancellation.NONE, ProgressSink.NONE);
        QuboRun two = new CpuQuboSolver(2).run(q, o, 42, Cancellation.NONE, ProgressSink.NONE);
        assertEquals(5, one.reads());
        assertEquals(one.bestEnergy(), two.bestEnergy());
        assertEquals(one.bestRead(), two.bestRead());
        assertArrayEquals(one.best(), two.best());
        assertEquals(40L * 5, one.sweeps(), "flips/n per read: sweeps·n flips each");
    }
}
