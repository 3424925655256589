package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuboProblemTest {

    @Test
    void energyMatchesTheDefinitionOnEveryAssignmentOfASmallInstance() {
        QuboProblem q = QuboTestInstances.random(10, 0.5, 3);
        for (long m = 0; m < 1 << 10; m++) {
            byte[] x = QuboTestInstances.bits(m, 10);
            assertEquals(QuboTestInstances.bruteEnergy(q, x), q.energy(x), 1e-9);
        }
    }

    @Test
    void energyIsXTransposeQXForTheTermsGiven() {
        // Q = [[1, 2], [3, -4]] as terms: xᵀQx = x0 + 5·x0·x1 − 4·x1.
        QuboProblem q = new QuboAssembler(2, "t").add(0, 0, 1).add(0, 1, 2).add(1, 0, 3).add(1, 1, -4).build(QuboProblem.Origin.QUBO);
        assertEquals(0, q.energy(new byte[] {0, 0}));
        assertEquals(1, q.energy(new byte[] {1, 0}));
        assertEquals(-4, q.energy(new byte[] {0, 1}));
        assertEquals(2, q.energy(new byte[] {1, 1}));
    }

    @Test
    void localFieldIsTheEnergyChangeOfSwitchingOn() {
        QuboProblem q = QuboTestInstances.random(12, 0.4, 9);
        byte[] x = QuboTestInstances.bits(0b101100111010L, 12);
        for (int i = 0; i < 12; i++) {
            byte[] y = x.clone();
            y[i] ^= 1;
            double delta = q.energy(y) - q.energy(x);
            assertEquals(delta, (1 - 2 * x[i]) * q.localField(x, i), 1e-9);
        }
    }

    @Test
    void duplicateTermsAreSummedAndCancellingOnesDropped() {
        QuboProblem q = new QuboAssembler(3, "t").add(0, 1, 2).add(1, 0, 3).add(1, 2, 4).add(2, 1, -4).build(QuboProblem.Origin.QUBO);
        assertArrayEquals(new int[] {0, 1, 2, 2}, q.rowPtr());
        assertArrayEquals(new int[] {1, 0}, q.colIdx());
        assertArrayEquals(new double[] {5, 5}, q.coupling());
    }

    @Test
    void indexOutOfRangeIsRejectedNamingTheTerm() {
        QuboAssembler a = new QuboAssembler(3, "problem.qubo.terms").add(0, 1, 1);
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> a.add(0, 3, 1));
        assertEquals("problem.qubo.terms[1]", e.field());
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void nonFiniteWeightIsRejectedNamingTheTerm() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> new QuboAssembler(3, "problem.qubo.terms").add(0, 1, Double.NaN));
        assertEquals("problem.qubo.terms[0]", e.field());
    }

    @Test
    void variableCountOverTheLimitIsTooLarge() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class, () -> new QuboAssembler(11, "problem.qubo.terms", 10));
        assertEquals(InvalidProblemException.Code.TOO_LARGE, e.code());
        assertEquals("problem.qubo.n", e.field());
    }

    @Test
    void zeroVariablesAreRejected() {
        assertEquals("problem.qubo.n", assertThrows(InvalidProblemException.class, () -> new QuboAssembler(0, "problem.qubo.terms")).field());
    }
}
