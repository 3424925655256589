package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MaxCutGraphTest {

    @Test
    void quboEnergyIsMinusTheCutForEveryBipartition() {
        MaxCutGraph g = QuboTestInstances.randomGraph(11, 0.4, 5, true);
        QuboProblem q = g.toQubo();
        assertEquals(QuboProblem.Origin.MAXCUT, q.origin());
        for (long m = 0; m < 1 << 11; m++) {
            byte[] s = QuboTestInstances.bits(m, 11);
            assertEquals(g.cut(s), -q.energy(s), 1e-9);
            assertEquals(g.cut(s), q.objective(q.energy(s)), 1e-9);
        }
    }

    @Test
    void cutOfAKnownGraphIsItsCrossingWeight() {
        // Triangle 0-1-2 with weights 1, 2, 3: {0} against {1,2} cuts edges 0-1 and 0-2.
        MaxCutGraph g = MaxCutGraph.of(3, new int[] {0, 1, 0}, new int[] {1, 2, 2}, new double[] {1, 2, 3}, "edges");
        assertEquals(4, g.cut(new byte[] {1, 0, 0}));
        assertEquals(0, g.cut(new byte[] {1, 1, 1}));
    }

    @Test
    void quboToMaxCutAndBackKeepsEveryEnergy() {
        QuboProblem q = QuboTestInstances.random(9, 0.5, 17);
        MaxCutGraph g = MaxCutGraph.fromQubo(q);
        assertEquals(10, g.n());
        for (long m = 0; m < 1 << 10; m++) {
            byte[] side = QuboTestInstances.bits(m, 10);
            byte[] x = MaxCutGraph.assignmentOfCut(side);
            assertEquals(q.energy(x), q.offset() - g.cut(side), 1e-9);
        }
    }

    @Test
    void roundTripQuboMaxCutQuboHasTheSameOptimum() {
        QuboProblem q = QuboTestInstances.random(8, 0.6, 23);
        QuboProblem back = MaxCutGraph.fromQubo(q).toQubo();
        // min over (n+1)-vertex cuts of −cut = min E(x) (the reference side may be either).
        assertEquals(QuboTestInstances.bruteMinimum(q), QuboTestInstances.bruteMinimum(back), 1e-9);
    }

    @Test
    void selfLoopIsRejectedNamingTheEdge() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> MaxCutGraph.of(3, new int[] {0, 2}, new int[] {1, 2}, new double[] {1, 1}, "problem.maxcut.edges"));
        assertEquals("problem.maxcut.edges[1]", e.field());
    }

    @Test
    void vertexOutOfRangeIsRejectedNamingTheEdge() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> MaxCutGraph.of(3, new int[] {0}, new int[] {3}, new double[] {1}, "problem.maxcut.edges"));
        assertEquals("problem.maxcut.edges[0]", e.field());
    }
}
