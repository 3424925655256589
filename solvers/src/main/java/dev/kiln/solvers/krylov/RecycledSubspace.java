package dev.kiln.solvers.krylov;

/**
 * A subspace kept from earlier solves of a family of related SPD systems, to deflate the next
 * one ({@link DeflatedConjugateGradient}): k approximate eigenvectors of M⁻¹A for its smallest
 * eigenvalues (Ritz vectors), the directions plain CG converges on last.
 *
 * <p>Why keep Ritz values too: they say how far into the spectrum the subspace reaches (a
 * report and a test can check that the harvested values approximate the smallest eigenvalues),
 * and they are what a caller would compare to decide that a subspace no longer fits a family
 * whose matrix moved on.
 *
 * <p>Immutable by contract: the arrays are owned by this object once built and never written;
 * one instance is shared read-only by every later solve that deflates with it.
 *
 * @param basis      k vectors of length n (k ≥ 0); any scaling, linearly independent in exact
 *                   arithmetic (a deflated solve tolerates numerically dependent ones)
 * @param ritzValues the Ritz value of each vector (its Rayleigh quotient under the operator it
 *                   was harvested from), ascending; same length as {@code basis}
 */
public record RecycledSubspace(double[][] basis, double[] ritzValues) {
    public static final RecycledSubspace EMPTY = new RecycledSubspace(new double[0][], new double[0]);

    public RecycledSubspace {
        if (basis == null || ritzValues == null) throw new IllegalArgumentException("basis and ritzValues are required");
        if (basis.length != ritzValues.length) {
            throw new IllegalArgumentException("basis has " + basis.length + " vectors but " + ritzValues.length + " Ritz values");
        }
        for (int i = 1; i < basis.length; i++) {
            if (basis[i].length != basis[0].length) {
                throw new IllegalArgumentException("basis vector " + i + " has length " + basis[i].length + ", vector 0 has " + basis[0].length);
            }
        }
    }

    /** Number of vectors k. */
    public int size() { return basis.length; }

    /** Length n of the vectors (0 when empty). */
    public int dimension() { return basis.length == 0 ? 0 : basis[0].length; }

    /** Bytes held by the vectors, for memory budgets. */
    public long bytes() { return 8L * size() * dimension(); }
}
