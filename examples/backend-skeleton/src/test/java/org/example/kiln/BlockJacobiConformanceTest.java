package org.example.kiln;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

/** The example plug-in passes Kiln's conformance kit, run from its own build. */
class BlockJacobiConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() {
        return new BlockJacobiBackend();
    }
}
