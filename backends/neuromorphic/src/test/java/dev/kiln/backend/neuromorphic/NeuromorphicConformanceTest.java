package dev.kiln.backend.neuromorphic;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

/** The SPI conformance kit: the linear checks skip (qubo only); refusal and probe apply. */
class NeuromorphicConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() { return new NeuromorphicBackend(); }
}
