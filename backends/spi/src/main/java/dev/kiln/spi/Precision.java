package dev.kiln.spi;

import java.util.Locale;

/** Arithmetic precision a job asks for: fp64, fp32 storage, or fp32 inner solves refined in fp64. */
public enum Precision {
    FP64, FP32, MIXED;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static Precision fromWire(String s) {
        for (Precision p : values()) if (p.wireName().equals(s)) return p;
        return null;
    }
}
