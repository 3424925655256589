package dev.kiln.solvers.krylov;

/**
 * What a {@link DeflatedConjugateGradient} solve produced, beyond the plain {@link SolveReport}.
 *
 * @param report             termination, iterations, the TRUE relative residual of x, and x
 * @param harvested          Ritz vectors for the next solve of the family, or {@code null} when
 *                           none could be taken (harvesting off, a preconditioner that is not
 *                           diagonal, or a solve that broke down)
 * @param deflatedVectors    how many recycled vectors deflated this solve (0 when none were
 *                           given, or they were refused)
 * @param initialResidual    relative residual ‖b − A·x₀‖/‖b‖ of the projected initial guess the
 *                           iteration started from (after the warm start and the Galerkin step)
 * @param deflationAbandoned true when the deflated iteration broke down and the answer comes
 *                           from plain CG restarted from the caller's x0 (the subspace did not
 *                           fit this matrix); {@code deflatedVectors} then says what was tried
 */
public record DeflatedSolveReport(SolveReport report, RecycledSubspace harvested, int deflatedVectors,
                                  double initialResidual, boolean deflationAbandoned) {
}
