package dev.kiln.runtime.recycling;

import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProblemSketchTest {
    static LinearProblem poisson(int m, double shift, double scale) {
        double[] b = PoissonGenerator.sample2d(m, m, (x, y) -> scale * (x + 2 * y));
        return LinearProblem.of(PoissonGenerator.poisson2d(m, m, shift), b, null);
    }

    @Test
    void contextsDecideTheDistanceWhenBothJobsCarryOne() {
        ProblemSketch a = ProblemSketch.of(poisson(10, 0.1, 1), new double[]{1, 2});
        ProblemSketch b = ProblemSketch.of(poisson(10, 5.0, -3), new double[]{4, 6});
        assertEquals(5.0, a.distance(b), 1e-12);
    }

    @Test
    void withoutContextTheRightHandSideCountsByDirectionOnly() {
        ProblemSketch a = ProblemSketch.of(poisson(10, 0.1, 1), new double[0]);
        ProblemSketch scaled = ProblemSketch.of(poisson(10, 0.1, 7.5), new double[0]);
        ProblemSketch shifted = ProblemSketch.of(poisson(10, 0.3, 1), new double[0]);
        assertEquals(0.0, a.distance(scaled), 1e-12);
        assertTrue(a.distance(shifted) > 0);
    }

    @Test
    void systemsOfAnotherSizeOrStructureAreNotComparable() {
        ProblemSketch a = ProblemSketch.of(poisson(10, 0.1, 1), new double[0]);
        ProblemSketch b = ProblemSketch.of(poisson(11, 0.1, 1), new double[0]);
        assertFalse(a.comparable(b));
        assertEquals(Double.POSITIVE_INFINITY, a.distance(b));
    }

    @Test
    void nearerParametersGiveSmallerDistances() {
        ProblemSketch a = ProblemSketch.of(poisson(12, 0.10, 1), new double[0]);
        ProblemSketch near = ProblemSketch.of(poisson(12, 0.11, 1), new double[0]);
        ProblemSketch far = ProblemSketch.of(poisson(12, 0.50, 1), new double[0]);
        assertTrue(a.distance(near) < a.distance(far));
    }
}
