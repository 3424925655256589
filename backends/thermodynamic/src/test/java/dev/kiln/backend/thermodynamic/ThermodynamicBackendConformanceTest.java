package dev.kiln.backend.thermodynamic;

import dev.kiln.spi.Backend;
import dev.kiln.spi.conformance.BackendConformanceKit;

/**
 * The thermodynamic backend passes the conformance kit. Its linear solves reach the kit's
 * tolerances (1e-8, 1e-10) by fp64 iterative refinement around the simulated device; the kit's
 * long job asks for 1e-15, below {@link ThermodynamicLinearSolver#MIN_TOLERANCE}, so the device
 * refuses it and the cancellation/deadline cases skip (they are covered in
 * {@link ThermodynamicBackendTest}).
 */
class ThermodynamicBackendConformanceTest extends BackendConformanceKit {
    @Override
    protected Backend createBackend() {
        return new ThermodynamicBackend();
    }
}
