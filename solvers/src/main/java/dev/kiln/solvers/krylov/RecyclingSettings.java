package dev.kiln.solvers.krylov;

/**
 * How {@link DeflatedConjugateGradient} uses and refreshes a recycled subspace.
 *
 * @param harvest           Ritz vectors to return for the next solve of the family (0: none)
 * @param lanczosVectors    CG residuals kept from the start of the iteration to harvest from (the
 *                          window ℓ); more see further into the spectrum, and cost ℓ·n doubles
 * @param deflateIterations true: deflate every iteration (Saad et al. 2000, Algorithm 2.1: each
 *                          search direction A-orthogonalised against W, k dot products and k axpys
 *                          per iteration); false: deflate the start only ("init-CG", Saad et al.
 *                          §5 and Erhel and Guyomarc'h 2000: the Galerkin start removes W's part of
 *                          the error and plain CG iterations follow, at CG's cost per iteration)
 */
public record RecyclingSettings(int harvest, int lanczosVectors, boolean deflateIterations) {
    public RecyclingSettings {
        if (harvest < 0) throw new IllegalArgumentException("harvest must not be negative: " + harvest);
        if (lanczosVectors < 0) throw new IllegalArgumentException("lanczosVectors must not be negative: " + lanczosVectors);
    }
}
