package dev.kiln.backend.opencl;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

/**
 * The OpenCL backend passes the conformance kit on the machine's OpenCL device (PoCL in CI),
 * with the kernels it picks itself (fp64 where the device has it). Without a device the kit
 * skips its solve tests with the probe's reason.
 */
class OpenClBackendConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() {
        return new OpenClBackend();
    }
}
