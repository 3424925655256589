package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.SparseOperatorFp32;

/**
 * The fp32 half of a mixed-precision solve: the product on fp32 storage and the fp32 vector
 * kernels sharing its row partition. Holds per-solve scratch: one solve at a time.
 */
public record PreparedSystemFp32(SparseOperatorFp32 operator, KrylovKernelsFp32 kernels) {
    /** What runs, for the result's parameters, e.g. {@code sell-8-1-fp32/vector-fp32-256x2}. */
    public String describe() {
        return operator.format() + "/" + kernels.name();
    }
}
