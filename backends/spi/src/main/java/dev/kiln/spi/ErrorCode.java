package dev.kiln.spi;

import java.util.Locale;

/**
 * Error codes carried in a result's {@code error.code}. Each says whether retrying the same
 * job could help ({@link #retryable()}), in the way Kafka classifies
 * {@code RetriableException}s.
 */
public enum ErrorCode {
    /** The problem is malformed (shape, index, NaN, ...). */
    INVALID_PROBLEM(false),
    /** An option is malformed or unknown. */
    INVALID_OPTIONS(false),
    /** The message is not valid JSON or not a job object. */
    UNPARSEABLE(false),
    /** Declared or actual size over a configured limit. */
    TOO_LARGE(false),
    /** Kind or method no backend (or the requested backend) supports. */
    UNSUPPORTED(false),
    /** The requested backend is not known or not available. */
    NO_BACKEND(false),
    /** CG met non-positive curvature: the matrix is not symmetric positive definite. */
    NOT_SPD(false),
    /** The iteration produced NaN/Inf or grew without bound. */
    DIVERGED(false),
    /** A·x = b has no solution: a stationary iteration's iterate difference converged to a nonzero null vector (certificate norm in the message). */
    INCONSISTENT(false),
    /** The iteration budget ran out before the tolerance was reached. */
    NOT_CONVERGED(false),
    /** Cancelled by the client. */
    CANCELLED(false),
    /** The job's deadline passed. */
    DEADLINE_EXCEEDED(false),
    /** Every queue that could take the job is full; retry later. */
    QUEUE_FULL(true),
    /** A backend failed in a way that may not recur (device lost, out of resources). */
    BACKEND_UNAVAILABLE(true),
    /** A bug: an unexpected exception inside Kiln. */
    INTERNAL(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) { this.retryable = retryable; }

    public boolean retryable() { return retryable; }

    public String wireName() { return name(); }

    public static ErrorCode fromWire(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
