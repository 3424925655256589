package dev.kiln.backend.cpu.kernel;

/**
 * A {@link SellMatrix} with its values rounded to fp32: the same chunks, column indices and row
 * order (shared, not copied), 4 bytes per stored value instead of 8. Entries beyond fp32's range
 * become ±∞ or 0; the mixed-precision solve that uses it notices (no progress) and falls back.
 * Immutable; shared through {@link ConversionCache}.
 */
public final class SellMatrixFp32 {
    final SellMatrix layout;
    final float[] values;

    SellMatrixFp32(SellMatrix layout) {
        this.layout = layout;
        double[] v = layout.values;
        this.values = new float[v.length];
        for (int k = 0; k < v.length; k++) values[k] = (float) v[k];
    }

    public SellMatrix layout() { return layout; }
}
