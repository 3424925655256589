package dev.kiln.spi;

/** The {@code error} object of a result: a code and a message naming what and where. */
public record JobError(ErrorCode code, String message) {
    public JobError {
        if (code == null) throw new IllegalArgumentException("code is required");
        if (message == null) message = "";
    }
}
