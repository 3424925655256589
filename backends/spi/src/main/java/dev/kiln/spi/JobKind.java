package dev.kiln.spi;

import java.util.Locale;

/** The kinds of job of wire format v1. Only {@link #LINEAR} has solvers so far. */
public enum JobKind {
    LINEAR, QUBO, TRAIN;

    private final String wire = name().toLowerCase(Locale.ROOT); // once: results and metrics ask per job

    /** The name used on the wire ({@code "linear"}). */
    public String wireName() { return wire; }

    /** Parses a wire name; {@code null} when unknown. */
    public static JobKind fromWire(String s) {
        if (s == null) return null;
        for (JobKind k : values()) if (k.wireName().equals(s)) return k;
        return null;
    }
}
