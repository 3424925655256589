package dev.kiln.solvers.kernel;

/**
 * The vector kernels a Krylov solver is made of. The algorithms in
 * {@code dev.kiln.solvers.krylov} are written once against this interface and a
 * {@link SparseOperator}; {@link ScalarKrylovKernels} is the reference implementation and
 * each backend supplies a faster one (Vector API on the CPU, OpenCL on a device), the way
 * Ginkgo separates its solvers from its per-executor kernels.
 *
 * <p>Contract: every method works on the first {@code n} elements, does no argument checks and
 * never allocates. Reductions may be summed in any fixed order, so results agree with the
 * scalar reference to rounding, and an implementation must give the same bits on every call
 * with the same input (no order that depends on thread timing).
 */
public interface KrylovKernels {
    /** Short name for reports, e.g. {@code scalar} or {@code vector-512x2}. */
    String name();

    /** Returns xᵀy. */
    double dot(int n, double[] x, double[] y);

    /** Returns ‖x‖₂ (unscaled: sqrt(xᵀx)). */
    default double norm2(int n, double[] x) {
        return Math.sqrt(dot(n, x, x));
    }

    /** y ← y + a·x. */
    void axpy(int n, double a, double[] x, double[] y);

    /** y ← x + a·y. */
    void xpay(int n, double[] x, double a, double[] y);

    /** y ← x. */
    void copy(int n, double[] x, double[] y);

    /** x ← a·x. */
    void scale(int n, double a, double[] x);

    /**
     * The fused CG update, one pass: x ← x + α·p, r ← r − α·q, and z ← invDiag∘r when
     * {@code invDiag} is not null. Writes rᵀz (rᵀr when {@code invDiag} is null) to
     * {@code out[0]} and rᵀr to {@code out[1]}.
     */
    void cgUpdate(int n, double alpha, double[] p, double[] q, double[] x, double[] r,
                  double[] invDiag, double[] z, double[] out);
}
