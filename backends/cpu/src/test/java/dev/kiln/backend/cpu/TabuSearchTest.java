package dev.kiln.backend.cpu;

import dev.kiln.spi.conformance.ReferenceJobs;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import org.junit.jupiter.api.Test;


import static dev.kiln.backend.cpu.QuboSearchFixtures.UNBOUNDED;
import static dev.kiln.backend.cpu.QuboSearchFixtures.randomStart;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabuSearchTest {

    @Test
    void findsTheBruteForceOptimumOfSmallRandomQubosFromARandomStart() {
        for (long seed = 1; seed <= 4; seed++) {
            QuboProblem q = ReferenceJobs.randomQubo(16, 0.4, seed);
            TabuSearch t = new TabuSearch(q);
            t.search(randomStart(16, seed), seed, 10L * 16, UNBOUNDED);
            assertEquals(ReferenceJobs.bruteForceMinimum(q), t.bestEnergy(), "instance " + seed);
        }
    }

    @Test
    void reportedBestEnergyIsTheEnergyOfTheReportedState() {
        QuboProblem q = ReferenceJobs.randomQubo(60, 0.2, 7);
        TabuSearch t = new TabuSearch(q);
        t.search(randomStart(60, 3), 5, 600, UNBOUNDED);
        assertEquals(q.energy(t.best()), t.bestEnergy(), 1e-9);
    }

    @Test
    void neverEndsWorseThanItsStart() {
        QuboProblem q = ReferenceJobs.randomQubo(60, 0.2, 8);
        byte[] start = randomStart(60, 4);
        TabuSearch t = new TabuSearch(q);
        t.search(start, 9, 1, UNBOUNDED);
        assertTrue(t.bestEnergy() <= q.energy(start));
    }

    @Test
    void sameStartAndSeedGiveTheSameSearch() {
        QuboProblem q = ReferenceJobs.randomQubo(80, 0.15, 9);
        byte[] start = randomStart(80, 5);
        TabuSearch a = new TabuSearch(q);
        TabuSearch b = new TabuSearch(q);
        long itersA = a.search(start, 42, 400, UNBOUNDED);
        b.search(randomStart(80, 6), 1, 50, UNBOUNDED); // a different search first: no state carries over
        long itersB = b.search(start, 42, 400, UNBOUNDED);
        assertEquals(itersA, itersB);
        assertArrayEquals(a.best(), b.best());
    }

    @Test
    void stopsAsSoonAsTheGuardRefusesAnImprovement() {
        QuboProblem q = ReferenceJobs.randomQubo(60, 0.2, 10);
        TabuSearch t = new TabuSearch(q);
        long iters = t.search(randomStart(60, 7), 3, 1_000_000, new TabuSearch.Guard() {
            @Override
            public boolean proceed() { return true; }

            @Override
            public boolean improved(double bestEnergy) { return false; }
        });
        assertEquals(1, iters);
    }

    @Test
    void tabuPolishIsUsedOnlyWhenCouplingsDifferInMagnitude() {
        assertTrue(CpuQuboSolver.polishesWithTabu(ReferenceJobs.randomQubo(20, 0.5, 11)));
        QuboProblem unitCut = MaxCutGraph.of(4, new int[] {0, 1, 2, 3}, new int[] {1, 2, 3, 0}, new double[] {1, -1, 1, 1}, "edges").toQubo();
        assertFalse(CpuQuboSolver.polishesWithTabu(unitCut));
    }
}
