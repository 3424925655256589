package dev.kiln.backend.opencl;

import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** CG work vectors are pooled per device: a job of the same shape reuses them, with a clean start. */
class WorkVectorPoolTest {

    @Test
    void aSecondSolveOfTheSameShapeReusesTheVectorsAndStillConverges() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            SolveOutcome one = b.solve(ReferenceJobs.linear("one", ReferenceJobs.poisson2d(30), 1e-8, 1000),
                    ProgressSink.NONE, Cancellation.NONE);
            SolveOutcome two = b.solve(ReferenceJobs.linear("two", ReferenceJobs.poisson2d(30), 1e-8, 1000),
                    ProgressSink.NONE, Cancellation.NONE);
            assertTrue(one.converged() && two.converged());
            // the stale x, r, p and state of the first solve must not leak into the second
            assertEquals(one.iterations(), two.iterations());
            assertEquals(1, b.device().workVectors.created());
            assertEquals(1, b.device().workVectors.reused());
        }
    }

    @Test
    void aSolveOfAnotherShapeGetsNewVectors() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            for (int n : new int[] {20, 21, 20}) {
                SolveOutcome out = b.solve(ReferenceJobs.linear("n" + n, ReferenceJobs.poisson2d(n), 1e-8, 1000),
                        ProgressSink.NONE, Cancellation.NONE);
                assertTrue(out.converged());
            }
            assertEquals(3, b.device().workVectors.created(), "only the most recent shape is kept idle");
            assertEquals(0, b.device().workVectors.reused());
        }
    }
}
