package dev.kiln.solvers.krylov;

/**
 * z = M⁻¹·r for a preconditioner M ≈ A (Saad, "Iterative Methods for Sparse Linear Systems",
 * 2nd ed., §9.2: PCG needs M symmetric positive definite).
 *
 * <p>Why an interface this small: the Krylov loop only ever applies M⁻¹, and it does so once
 * per iteration, so an implementation must not allocate in {@link #apply}; set-up work (a
 * diagonal inverse, an incomplete factorisation) happens when it is built. Implementations are
 * plain classes chosen by the caller: no reflection, no registry.
 */
@FunctionalInterface
public interface Preconditioner {
    /**
     * Writes z = M⁻¹·r. {@code r} is read only; {@code r} and {@code z} are distinct arrays
     * of the system's length (or longer: only the first n elements are used).
     */
    void apply(double[] r, double[] z);

    /**
     * diag(M)⁻¹ when M is diagonal, so a solver can fuse z = M⁻¹r into its vector update;
     * {@code null} otherwise. Shared, read only.
     */
    default double[] inverseDiagonal() {
        return null;
    }

    /** Short name for reports and metrics, e.g. {@code "jacobi"}. */
    default String name() {
        return getClass().getSimpleName();
    }
}
