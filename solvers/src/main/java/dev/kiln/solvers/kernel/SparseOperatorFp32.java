package dev.kiln.solvers.kernel;

/**
 * y = A·x with A stored in fp32, vectors in fp32 and every row's products summed in fp64 (a
 * product of two fp32 numbers is exact in fp64, so only the final store rounds): the operator of
 * the inner solve of mixed-precision iterative refinement. Half the bytes of the fp64 matrix
 * values and of every vector, which is what a memory-bound solve pays for.
 *
 * <p>Same contract as {@link SparseOperator}: no checks, no allocation, x and y do not alias.
 */
public interface SparseOperatorFp32 {
    /** Number of rows (= columns). */
    int rows();

    /** Stored non-zeros of the original matrix (not counting any padding). */
    long nnz();

    /** y ← A·x. */
    void apply(float[] x, float[] y);

    /** y ← A·x and returns xᵀ(A·x) summed in fp64 (before y is rounded to fp32). */
    double applyDot(float[] x, float[] y);

    /** The storage format that runs, for reports ({@code csr-fp32}, {@code sell-8-1-fp32}, ...). */
    String format();
}
