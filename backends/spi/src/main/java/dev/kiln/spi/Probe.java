package dev.kiln.spi;

/**
 * What {@link Backend#probe()} found: whether the hardware is there, a description of it,
 * and, when it is not, why not.
 */
public record Probe(boolean available, String device, String reason) {
    public static Probe available(String device) { return new Probe(true, device, ""); }
    public static Probe unavailable(String reason) { return new Probe(false, "", reason); }
}
