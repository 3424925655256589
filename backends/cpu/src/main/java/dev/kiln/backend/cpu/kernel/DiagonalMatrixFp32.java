package dev.kiln.backend.cpu.kernel;

/**
 * A {@link DiagonalMatrix} with its values rounded to fp32: the same offsets and interior (shared),
 * 4 bytes per stored value instead of 8. Entries beyond fp32's range become ±∞ or 0; the
 * mixed-precision solve that uses it notices (no progress) and falls back. Immutable; shared
 * through {@link ConversionCache}.
 */
public final class DiagonalMatrixFp32 {
    final DiagonalMatrix layout;
    final float[] values;

    DiagonalMatrixFp32(DiagonalMatrix layout) {
        this.layout = layout;
        double[] v = layout.values;
        this.values = new float[v.length];
        for (int k = 0; k < v.length; k++) values[k] = (float) v[k];
    }

    public DiagonalMatrix layout() { return layout; }
}
