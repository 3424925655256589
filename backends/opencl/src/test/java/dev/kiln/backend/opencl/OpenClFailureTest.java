package dev.kiln.backend.opencl;

import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.jocl.CL;
import org.jocl.CLException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Failure paths end in a clear re-route or a clear unavailability, never in a crash: kernels
 * that do not build, a job over the device memory budget, and machines without OpenCL.
 */
class OpenClFailureTest {

    @Test
    void kernelsThatDoNotBuildMakeTheProbeUnavailableWithTheBuildLog() {
        try (OpenClBackend broken = new OpenClBackend()) {
            broken.configure(Map.of(OpenClConfig.BUILD_OPTIONS_CONFIG, "-D REAL=no_such_type"));
            Probe p = broken.probe();
            assumeTrue(!p.reason().startsWith("OpenCL is not installed") && !p.reason().startsWith("no OpenCL"),
                    () -> "no OpenCL device: " + p.reason());
            assertFalse(p.available(), "a device whose kernels do not build is not available");
            assertTrue(p.reason().contains("no_such_type"), "the probe carries the build log: " + p.reason());
        }
    }

    @Test
    void aBuildFailureDuringASolveThrowsRetriableWithTheLog() {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            OpenClLinearSolver brokenSolver = new OpenClLinearSolver(b.device(),
                    OpenClConfig.parse(Map.of(OpenClConfig.BUILD_OPTIONS_CONFIG, "-D REAL=no_such_type")));
            Job job = ReferenceJobs.linear("broken", ReferenceJobs.poisson2d(8), 1e-8, 100);
            KernelBuildException e = assertThrows(KernelBuildException.class,
                    () -> brokenSolver.solve(job, ProgressSink.NONE, Cancellation.NONE));
            assertTrue(e.buildLog().contains("no_such_type"), e.buildLog());
        }
    }

    @Test
    void aBuildFailureInSolveBecomesRetriableAndShowsInTheProbe() throws Exception {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of());
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            Job cg = ReferenceJobs.linear("cg-fine", ReferenceJobs.poisson2d(8), dev.kiln.spi.LinearMethod.CG, 1e-8, 100);
            assertTrue(b.solve(cg, ProgressSink.NONE, Cancellation.NONE).converged());
            // Settings other than the device apply to the next job (the device stays open).
            b.configure(Map.of(OpenClConfig.BUILD_OPTIONS_CONFIG, "-D REAL=no_such_type"));
            BackendException e = assertThrows(BackendException.class, () -> b.solve(cg, ProgressSink.NONE, Cancellation.NONE));
            assertTrue(e.retriable(), "a build failure must re-route the job");
            assertTrue(e.getMessage().contains("no_such_type"), "the message carries the build log: " + e.getMessage());
            Probe after = b.probe();
            assertTrue(after.available());
            assertTrue(after.reason().startsWith("degraded: "), after.reason());
            assertTrue(after.reason().contains("no_such_type"), after.reason());
        }
    }

    @Test
    void aJobOverTheDeviceMemoryBudgetIsRerouted() {
        try (OpenClBackend b = new OpenClBackend()) {
            b.configure(Map.of(OpenClConfig.MEMORY_BUDGET_CONFIG, "4096"));
            assumeTrue(b.probe().available(), () -> "no OpenCL device: " + b.probe().reason());
            Job big = ReferenceJobs.linear("big", ReferenceJobs.poisson2d(64), 1e-8, 100);
            assertTrue(b.supports(big).supported(), "the device itself could hold it");
            BackendException e = assertThrows(BackendException.class, () -> b.solve(big, ProgressSink.NONE, Cancellation.NONE));
            assertTrue(e.retriable());
            assertTrue(e.getMessage().contains(OpenClConfig.MEMORY_BUDGET_CONFIG), e.getMessage());
        }
    }

    @Test
    void aMissingOpenClLibraryMakesTheBackendUnavailableWithTheReason() {
        OpenClBackend b = new OpenClBackend(() -> {
            throw new UnsatisfiedLinkError("libOpenCL.so: cannot open shared object file");
        });
        b.configure(Map.of());
        Probe p = b.probe();
        assertFalse(p.available());
        assertTrue(p.reason().contains("libOpenCL.so"), p.reason());
        Job job = ReferenceJobs.linear("x", ReferenceJobs.poisson2d(4), 1e-8, 10);
        assertFalse(b.supports(job).supported());
        assertThrows(BackendException.Retriable.class, () -> b.solve(job, ProgressSink.NONE, Cancellation.NONE));
        b.close();
    }

    @Test
    void noOpenClPlatformIsReportedAsAMissingDriver() {
        OpenClBackend b = new OpenClBackend(() -> {
            throw new CLException("CL_PLATFORM_NOT_FOUND_KHR", CL.CL_PLATFORM_NOT_FOUND_KHR);
        });
        b.configure(Map.of());
        Probe p = b.probe();
        assertFalse(p.available());
        assertTrue(p.reason().contains("no OpenCL platform"), p.reason());
        b.close();
    }

    @Test
    void aPlatformWithoutDevicesIsUnavailable() {
        OpenClBackend b = new OpenClBackend(List::of);
        b.configure(Map.of());
        assertEquals("no OpenCL device on any platform", b.probe().reason());
        b.close();
    }

    @Test
    void aMalformedSettingMakesTheBackendUnavailableNamingTheKey() {
        OpenClBackend b = new OpenClBackend(List::of);
        b.configure(Map.of(OpenClConfig.CHECK_INTERVAL_CONFIG, "often"));
        Probe p = b.probe();
        assertFalse(p.available());
        assertTrue(p.reason().contains(OpenClConfig.CHECK_INTERVAL_CONFIG), p.reason());
        b.close();
    }
}
