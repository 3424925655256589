package dev.kiln.runtime.wire;

import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;

/**
 * A job that cannot be accepted, with the code and the field at fault. Carries the job's id
 * and kind when they could be read, so the rejection can be published as that job's result.
 */
public final class JobRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final String field;
    private final String jobId;
    private final JobKind kind;

    public JobRejectedException(ErrorCode code, String field, String message) {
        this(code, field, message, null, null);
    }

    public JobRejectedException(ErrorCode code, String field, String message, String jobId, JobKind kind) {
        super(field == null || field.isEmpty() ? message : field + ": " + message);
        this.code = code;
        this.field = field == null ? "" : field;
        this.jobId = jobId;
        this.kind = kind;
    }

    public ErrorCode code() { return code; }
    public String field() { return field; }
    /** The job's id when it could be read, else {@code null}. */
    public String jobId() { return jobId; }
    /** The job's kind when it could be read, else {@code null}. */
    public JobKind kind() { return kind; }

    /** True when the bytes were not a JSON job object at all (Kafka dead-letters these). */
    public boolean unparseable() { return code == ErrorCode.UNPARSEABLE; }

    public JobError toError() { return new JobError(code, getMessage()); }

    JobRejectedException withJob(String id, JobKind k) {
        return new JobRejectedException(code, field, super.getMessage() == null ? "" : rawMessage(), id, k);
    }

    private String rawMessage() {
        String m = getMessage();
        return field.isEmpty() ? m : m.substring(field.length() + 2);
    }
}
