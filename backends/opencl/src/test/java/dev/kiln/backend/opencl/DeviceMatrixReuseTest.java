package dev.kiln.backend.opencl;

import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A matrix is uploaded once per fingerprint and reused; the cost model sees the saving. */
class DeviceMatrixReuseTest {

    @Test
    void aSecondJobOnTheSameMatrixReusesTheUploadAndMovesFewerBytes() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            Job first = ReferenceJobs.linear("first", ReferenceJobs.poisson2d(30), 1e-8, 1000);
            Job second = ReferenceJobs.linear("second", ReferenceJobs.poisson2d(30), 1e-8, 1000); // equal content, new object
            Features before = b.features(first);
            SolveOutcome one = b.solve(first, ProgressSink.NONE, Cancellation.NONE);
            Features after = b.features(second);
            SolveOutcome two = b.solve(second, ProgressSink.NONE, Cancellation.NONE);
            assertTrue(one.converged() && two.converged());
            assertEquals(true, one.parameters().get("matrixUploaded"));
            assertEquals(false, two.parameters().get("matrixUploaded"));
            assertEquals(1, b.device().matrices.uploads());
            var a = ((dev.kiln.solvers.problem.LinearProblem) first.problem()).a();
            long upload = DeviceMatrix.uploadBytes(a, true, DeviceMatrix.cgLayout(a));
            assumeTrue(b.device().info.fp64());
            assertEquals(upload, before.bytesToMove() - after.bytesToMove(), "bytesToMove drops by the upload once resident");
        }
    }

    @Test
    void idleMatricesAreEvictedWhenTheBudgetIsFull() throws Exception {
        // Budget for about one 30x30 Poisson matrix and its vectors (≈ 60 KB in fp64).
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of(OpenClConfig.MEMORY_BUDGET_CONFIG, "150000"));
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            for (int n : new int[] {30, 31, 32}) {
                SolveOutcome out = b.solve(ReferenceJobs.linear("n" + n, ReferenceJobs.poisson2d(n), 1e-8, 1000),
                        ProgressSink.NONE, Cancellation.NONE);
                assertTrue(out.converged());
            }
            assertEquals(3, b.device().matrices.uploads());
            assertTrue(b.device().matrices.residentBytes() <= 150_000, "resident " + b.device().matrices.residentBytes());
            assertTrue(b.device().matrices.size() < 3, "the least recently used matrix was evicted");
        }
    }
}
