package dev.kiln.backend.cpu;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

/** The CPU backend passes the conformance kit. */
class CpuBackendConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() {
        return new CpuBackend();
    }
}
