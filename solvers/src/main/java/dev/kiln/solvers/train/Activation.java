package dev.kiln.solvers.train;

/** Hidden-layer non-linearities of an MLP. */
public enum Activation {
    TANH, RELU;

    public String wireName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Activation fromWire(String s) {
        for (Activation a : values()) if (a.wireName().equals(s)) return a;
        return null;
    }
}
