package dev.kiln.backend.cpu.kernel;

import jdk.incubator.vector.DoubleVector;

/** Touches the Vector API only when asked, so {@link CpuKernels} loads without the module. */
final class VectorWidth {
    private VectorWidth() {}

    static int doubleLanes() {
        return DoubleVector.SPECIES_PREFERRED.length();
    }
}
