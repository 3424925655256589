package dev.kiln.solvers.kernel;

/**
 * A square sparse matrix prepared for one set of kernels: y = A·x in whatever storage and
 * threading the kernels chose (CSR on the scalar path; CSR or SELL-C-σ on the CPU backend's
 * vector path).
 *
 * <p>Why an interface: the Krylov algorithms are written once above it (as Ginkgo writes its
 * solvers once above per-executor kernels), and each backend supplies the products. None of
 * the methods checks arguments or allocates: vectors have at least {@link #rows()} elements.
 */
public interface SparseOperator {
    /** Number of rows (= columns). */
    int rows();

    /** Stored non-zeros of the original matrix (not counting any padding). */
    long nnz();

    /** y ← A·x (x and y must not alias). */
    void apply(double[] x, double[] y);

    /** y ← A·x and returns xᵀy: the CG curvature pᵀAp without a second pass over p and q. */
    double applyDot(double[] x, double[] y);

    /** r ← b − A·x (x and r must not alias). */
    void residual(double[] x, double[] b, double[] r);

    /** The storage format that runs, for reports ({@code csr}, {@code sell-8-32}, ...). */
    String format();
}
