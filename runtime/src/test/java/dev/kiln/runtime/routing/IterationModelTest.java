package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IterationModelTest {
    /** A 2-D five-point system of n unknowns: nnz ≈ 5n; the backend's own estimate is n (the CG bound). */
    static Features poisson2d(long n) {
        return new Features(n, 5 * n, n, 0, Precision.FP64);
    }

    static Features poisson3d(long n) {
        return new Features(n, 7 * n, n, 0, Precision.FP64);
    }

    /** CG on 2-D Poisson: about 3√n iterations (O(√κ), κ ∝ n). */
    static long cg2d(long n) {
        return Math.round(3 * Math.sqrt(n));
    }

    /** CG on 3-D Poisson: about 4·n^⅓. */
    static long cg3d(long n) {
        return Math.round(4 * Math.cbrt(n));
    }

    @Test
    void learnsTheCountsOfAMixedFamilyAndPredictsUnseenSizes() {
        IterationModel m = new IterationModel();
        for (long n = 64; n <= 100_000; n *= 3) {
            m.observe("cpu", "bench", poisson2d(n), cg2d(n));
            m.observe("cpu", "bench", poisson3d(n), cg3d(n));
        }
        // Within 25 % inside the sizes seen: one plane cannot bend both exponents (beyond them the
        // error grows; a client keeps one stencil per family), but it is 10-100× closer than n.
        for (long n : new long[] {500, 20_000}) {
            assertEquals(1, m.estimate("cpu", "bench", poisson2d(n)) / cg2d(n), 0.25, "2-D at n=" + n);
            assertEquals(1, m.estimate("cpu", "bench", poisson3d(n)) / cg3d(n), 0.25, "3-D at n=" + n);
        }
    }

    @Test
    void aFamilyOfOneStencilIsLearnedClosely() {
        IterationModel m = new IterationModel();
        for (long n = 64; n <= 100_000; n *= 2) m.observe("cpu", "heat", poisson2d(n), cg2d(n));
        assertEquals(cg2d(40_000), m.estimate("cpu", "heat", poisson2d(40_000)), 0.03 * cg2d(40_000));
    }

    @Test
    void aBackendWithoutCountsBorrowsTheFamilysAndAnUnknownFamilyHasNone() {
        IterationModel m = new IterationModel();
        assertTrue(Double.isNaN(m.estimate("cpu", "heat", poisson2d(1_000))));
        for (long n = 64; n <= 4_096; n *= 4) m.observe("cpu", "heat", poisson2d(n), cg2d(n));
        assertEquals(cg2d(1_000), m.estimate("opencl", "heat", poisson2d(1_000)), 0.05 * cg2d(1_000), "pooled over backends");
        for (long n = 64; n <= 4_096; n *= 4) m.observe("opencl", "other", poisson2d(n), 10 * cg2d(n));
        assertEquals(10 * cg2d(1_000), m.estimate("cpu", "other", poisson2d(1_000)), 0.5 * cg2d(1_000), "another family is another fit");
        m.observe("cpu", "heat", poisson2d(100), 0); // a count of 0 says nothing
        m.reset("cpu");
        assertEquals(cg2d(1_000), m.estimate("cpu", "heat", poisson2d(1_000)), 0.05 * cg2d(1_000),
                "a reset backend falls back to the family's pooled fit");
    }

    @Test
    void theCostModelLearnsTimeAtTheIterationsTakenAndPredictsAtTheLearnedEstimate() {
        // Time ∝ the work actually done, (n + nnz) × iterations; the backend estimates n iterations.
        CostModel c = new CostModel();
        for (long n = 64; n <= 40_000; n *= 2) {
            long it = cg2d(n);
            c.observe("cpu", JobKind.LINEAR, "heat", poisson2d(n), it, 1e-5 * 6 * n * it, Double.NaN);
        }
        long n = 10_000;
        assertEquals(cg2d(n), c.estimatedIterations("cpu", JobKind.LINEAR, "heat", poisson2d(n)), 0.03 * cg2d(n));
        double truth = 1e-5 * 6 * n * cg2d(n);
        assertEquals(truth, c.predict("cpu", JobKind.LINEAR, "heat", poisson2d(n)).ms(), 0.05 * truth);
        assertEquals(n, c.estimatedIterations("cpu", JobKind.QUBO, "heat", poisson2d(n)), 0.0,
                "only linear jobs have learned counts: other kinds keep the backend's estimate");
    }

    /**
     * The burst bug: calibration learns unnamed 2-D Poisson systems at the iterations they took;
     * a job of a family no backend has counts for was then predicted at the backend's CG bound
     * (n iterations), 15× too long at n = 2 000 and more the larger the job, so the
     * earliest-finish router balanced inflated times. It now borrows the counts of every family.
     */
    @Test
    void aFamilyWithoutCountsIsPredictedAtTheCountsLearnedNotAtTheBackendsBound() {
        CostModel c = new CostModel();
        for (long side = 8; side <= 64; side *= 2) {
            long n = side * side;
            c.observe("cpu", JobKind.LINEAR, null, poisson2d(n), cg2d(n), 1e-5 * 6 * n * cg2d(n), Double.NaN);
        }
        long n = 2_000;
        double truth = 1e-5 * 6 * n * cg2d(n);
        assertEquals(cg2d(n), c.estimatedIterations("cpu", JobKind.LINEAR, "poisson2d", poisson2d(n)), 0.1 * cg2d(n));
        assertEquals(truth, c.predict("cpu", JobKind.LINEAR, "poisson2d", poisson2d(n)).ms(), 0.1 * truth);
        assertEquals(cg2d(n), c.estimatedIterations("opencl", JobKind.LINEAR, "poisson2d", poisson2d(n)), 0.1 * cg2d(n),
                "a backend without counts borrows every backend's");
        assertEquals(n, new CostModel().estimatedIterations("cpu", JobKind.LINEAR, "poisson2d", poisson2d(n)), 0.0,
                "nothing counted at all: the backend's estimate stands");
    }

    @Test
    void beyondTheSizesABackendHasSeenThePooledFitThatHasSeenThemAnswers() {
        IterationModel m = new IterationModel();
        // "small" ran only small systems, and took 2× the pooled counts there; others ran every size.
        for (long n = 64; n <= 1_024; n *= 2) m.observe("small", "heat", poisson2d(n), 2 * cg2d(n));
        for (long n = 64; n <= 1_000_000; n *= 4) m.observe("big", "heat", poisson2d(n), cg2d(n));
        assertEquals(2 * cg2d(512), m.estimate("small", "heat", poisson2d(512)), 0.1 * cg2d(512), "its own size range: its own counts");
        double pooled = m.estimate("other", "heat", poisson2d(500_000));
        assertEquals(pooled, m.estimate("small", "heat", poisson2d(500_000)), 1e-9, "far beyond its range: the pooled fit");
    }

    @Test
    void aNewFamilyPerJobDoesNotGrowTheFitsWithoutBound() {
        IterationModel m = new IterationModel();
        for (int i = 0; i < IterationModel.MAX_FITS; i++) m.observe("cpu", "f" + i, poisson2d(100), 30);
        for (long n = 64; n <= 4_096; n *= 4) m.observe("cpu", "late", poisson2d(n), cg2d(n));
        assertEquals(m.estimate("cpu", "never-seen", poisson2d(1_000)), m.estimate("cpu", "late", poisson2d(1_000)), 1e-9,
                "past the cap a new family gets no fit of its own: it is estimated as a family never seen");
        for (int rep = 0; rep < 3; rep++) m.observe("cpu", "f0", poisson2d(100 << rep), 30);
        assertEquals(30, m.estimate("cpu", "f0", poisson2d(200)), 1.0, "families already kept still learn");
    }
}
