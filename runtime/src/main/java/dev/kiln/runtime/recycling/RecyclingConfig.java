package dev.kiln.runtime.recycling;

import dev.kiln.runtime.config.KilnConfig;

/**
 * Krylov recycling settings ({@code kiln.recycling.*}).
 *
 * @param vectors           Ritz vectors kept per family (0: no recycled subspace)
 * @param history           earlier solutions kept per family for the warm start and the Galerkin
 *                          start (0: no warm start; recycling is then off)
 * @param memoryBytes       budget for all families' kept vectors; least recently used families
 *                          give up their oldest vectors first
 * @param deflateIterations deflate every CG iteration (true) or only the start (false)
 */
public record RecyclingConfig(int vectors, int history, long memoryBytes, boolean deflateIterations) {
    /**
     * Lanczos window ℓ per recycled vector: the solver keeps the first ℓ = 3k residuals to refresh
     * k Ritz vectors. Measured on the recycle bench's families (128², k = 8): ℓ = 2k gave visibly
     * less accurate Ritz values, ℓ = 3k and 4k the same iterations, and the window costs ℓ·n doubles.
     */
    public static final int WINDOW_PER_VECTOR = 3;

    public RecyclingConfig {
        if (vectors < 0 || history < 0 || memoryBytes < 0) throw new IllegalArgumentException("recycling settings must not be negative");
    }

    public static RecyclingConfig from(KilnConfig c) {
        return new RecyclingConfig(c.getInt(KilnConfig.RECYCLING_VECTORS), c.getInt(KilnConfig.RECYCLING_HISTORY),
                c.getLong(KilnConfig.RECYCLING_MEMORY_BYTES), Boolean.parseBoolean(c.get(KilnConfig.RECYCLING_DEFLATE_ITERATIONS)));
    }

    /** Recycling does anything at all. */
    public boolean enabled() { return history > 0 && memoryBytes > 0; }

    public int window() { return WINDOW_PER_VECTOR * vectors; }
}
