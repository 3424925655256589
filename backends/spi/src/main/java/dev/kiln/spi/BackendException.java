package dev.kiln.spi;

/**
 * A backend could not finish a job. Sealed into {@link Retriable} (another backend, or the
 * same one later, may succeed: device lost, out of resources) and {@link Fatal} (the job
 * itself is at fault or the failure is certain to recur), as Kafka's
 * {@code RetriableException} splits its errors.
 */
public abstract sealed class BackendException extends Exception
        permits BackendException.Retriable, BackendException.Fatal {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    protected BackendException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() { return code; }

    public abstract boolean retriable();

    /** The runtime may re-route the job to another capable backend. */
    public static final class Retriable extends BackendException {
        private static final long serialVersionUID = 1L;
        public Retriable(String message, Throwable cause) { super(ErrorCode.BACKEND_UNAVAILABLE, message, cause); }
        @Override public boolean retriable() { return true; }
    }

    /** The job fails with {@link #code()}. */
    public static final class Fatal extends BackendException {
        private static final long serialVersionUID = 1L;
        public Fatal(ErrorCode code, String message) { super(code, message, null); }
        public Fatal(ErrorCode code, String message, Throwable cause) { super(code, message, cause); }
        @Override public boolean retriable() { return false; }
    }
}
