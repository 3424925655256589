package dev.kiln.spi;

import java.util.Locale;

/** Lifecycle of a job: accepted → queued → running → one terminal status. */
public enum JobStatus {
    ACCEPTED, QUEUED, RUNNING, SUCCEEDED, FAILED, REJECTED, CANCELLED, TIMED_OUT;

    public boolean terminal() { return ordinal() >= SUCCEEDED.ordinal(); }

    private final String wire = name().toLowerCase(Locale.ROOT); // once: results and metrics ask per job

    public String wireName() { return wire; }

    public static JobStatus fromWire(String s) {
        for (JobStatus st : values()) if (st.wireName().equals(s)) return st;
        return null;
    }
}
