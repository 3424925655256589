package dev.kiln.spi;

/**
 * Options common to every job kind, plus the kind's own.
 *
 * @param backend    {@code auto} or a backend id
 * @param objective  what the router minimises
 * @param deadlineMs time budget from acceptance, in ms; 0 means none
 * @param seed       random seed for reproducible runs
 * @param kind       the kind's options ({@link LinearOptions} for linear jobs)
 */
public record JobOptions(String backend, Objective objective, long deadlineMs, long seed, KindOptions kind) {
    public static final String AUTO = "auto";

    /** Options of a linear job. */
    public JobOptions(String backend, Objective objective, long deadlineMs, long seed, LinearOptions linear) {
        this(backend, objective, deadlineMs, seed, (KindOptions) linear);
    }

    public boolean autoBackend() { return AUTO.equals(backend); }

    /** The linear options, or {@code null} when this is not a linear job. */
    public LinearOptions linear() { return kind instanceof LinearOptions l ? l : null; }

    /** The kind's options as the given type, or {@code null} when they are of another type. */
    public <T extends KindOptions> T kind(Class<T> type) { return type.isInstance(kind) ? type.cast(kind) : null; }
}
