package dev.kiln.backend.thermodynamic;

/**
 * Uniform symmetric quantisation to a signed {@code bits}-bit code over [−1, 1]: what a DAC
 * programming the device (or the ADC reading it) can represent. The digital side scales
 * values into that range first, so the relative error per value is at most 2^−(bits−1)/2.
 */
final class Quantizer {
    private final double levels;

    Quantizer(int bits) {
        this.levels = Math.pow(2, bits - 1) - 1; // e.g. 127 for 8 bits: codes −127..127
    }

    double apply(double v) {
        double c = Math.max(-1, Math.min(1, v));
        return Math.rint(c * levels) / levels;
    }

    void applyInPlace(double[] v) {
        for (int i = 0; i < v.length; i++) v[i] = apply(v[i]);
    }

    /** Largest |v_i| (0 for a zero vector). */
    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
