package dev.kiln.solvers.kernel;

/**
 * The vector kernels of a CG iteration on fp32 vectors, reductions summed in fp64: the inner
 * solve of mixed-precision iterative refinement ({@code dev.kiln.solvers.krylov.MixedPrecisionCg}).
 * {@link ScalarKrylovKernelsFp32} is the reference; backends supply faster ones.
 *
 * <p>Contract as {@link KrylovKernels}: first {@code n} elements, no checks, no allocation, the
 * same bits on every call with the same input.
 */
public interface KrylovKernelsFp32 {
    /** Short name for reports, e.g. {@code scalar-fp32}. */
    String name();

    /** Returns xᵀy summed in fp64. */
    double dot(int n, float[] x, float[] y);

    /** y ← x + a·y. */
    void xpay(int n, float[] x, float a, float[] y);

    /**
     * The fused CG update: x ← x + α·p, r ← r − α·q, and z ← invDiag∘r when {@code invDiag} is
     * not null. Writes rᵀz (rᵀr when {@code invDiag} is null) to {@code out[0]} and rᵀr to
     * {@code out[1]}, both summed in fp64.
     */
    void cgUpdate(int n, float alpha, float[] p, float[] q, float[] x, float[] r, float[] invDiag, float[] z,
                  double[] out);
}
