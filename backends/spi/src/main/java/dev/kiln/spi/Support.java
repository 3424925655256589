package dev.kiln.spi;

/** Whether a backend can run a job, and if not, why (shown to the client). */
public record Support(boolean supported, ErrorCode code, String reason) {
    public static final Support YES = new Support(true, null, "");

    public static Support no(ErrorCode code, String reason) { return new Support(false, code, reason); }
}
