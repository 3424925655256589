package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * A matrix made ready for one solve: the product in its chosen format and the vector kernels
 * that share its row partition (so each thread touches the same slice of every vector).
 * Holds per-solve scratch: one solve at a time.
 */
public record PreparedSystem(SparseOperator operator, KrylovKernels kernels) {
    /** What runs, for the result's method and the probe, e.g. {@code sell-8-1/vector-512x2}. */
    public String describe() {
        return operator.format() + "/" + kernels.name();
    }
}
