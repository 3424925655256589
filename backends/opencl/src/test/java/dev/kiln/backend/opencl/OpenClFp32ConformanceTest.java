package dev.kiln.backend.opencl;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

import java.util.Map;

/**
 * The conformance kit again with fp32 kernels forced by configuration: the path a device
 * without cl_khr_fp64 takes. The kit's tolerances (down to 1e-10) are below fp32's unit
 * round-off, so passing shows the host's fp64 refinement at work and the honest residuals.
 */
class OpenClFp32ConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() {
        return new OpenClBackend();
    }

    @Override
    protected Map<String, ?> config() {
        return Map.of(OpenClConfig.PRECISION_CONFIG, "fp32");
    }
}
