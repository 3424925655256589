package dev.kiln.spi;

/**
 * Tells a running solve whether to stop. Backends poll it at least once per iteration
 * (it is a volatile read and a clock read; cheap next to an SpMV).
 */
public interface Cancellation {
    /** True once the client cancelled the job. */
    boolean cancelled();

    /** True once the job's deadline has passed. */
    boolean deadlinePassed();

    default boolean shouldStop() { return cancelled() || deadlinePassed(); }

    /** A cancellation that never fires (tests, calibration runs). */
    Cancellation NONE = new Cancellation() {
        @Override public boolean cancelled() { return false; }
        @Override public boolean deadlinePassed() { return false; }
    };
}
