package dev.kiln.spi;

/**
 * Options common to every job kind.
 *
 * @param backend    {@code auto} or a backend id
 * @param objective  what the router minimises
 * @param deadlineMs time budget from acceptance, in ms; 0 means none
 * @param seed       random seed for reproducible runs
 * @param linear     linear-solver options ({@code null} for other kinds)
 */
public record JobOptions(String backend, Objective objective, long deadlineMs, long seed, LinearOptions linear) {
    public static final String AUTO = "auto";

    public boolean autoBackend() { return AUTO.equals(backend); }
}
