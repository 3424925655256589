package dev.kiln.spi;

import java.util.Locale;

/** Linear solver methods of wire format v1. */
public enum LinearMethod {
    AUTO, CG, PCG, SOR, SSOR, BICGSTAB, GMRES;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static LinearMethod fromWire(String s) {
        for (LinearMethod m : values()) if (m.wireName().equals(s)) return m;
        return null;
    }
}
