package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * A QUBO assignment x with its cached local fields fᵢ = aᵢ + Σⱼ bᵢⱼxⱼ and energy (without the
 * problem's constant offset), so that ΔEᵢ = (1 − 2xᵢ)·fᵢ is read in O(1) and a flip costs
 * O(degree). The one copy of that bookkeeping for {@link SimulatedAnnealer} and {@link TabuSearch}.
 *
 * <p>Not thread-safe; allocation-free after construction. The arrays are exposed to the two
 * searches' inner loops on purpose (read x and field directly, change them only through
 * {@link #flip} and {@link #recompute}).
 */
final class LocalFields {
    final int n;
    final byte[] x;
    final double[] field;
    private final double[] linear;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final double[] coupling;
    double energy;

    LocalFields(QuboProblem q) {
        this.n = q.n();
        this.linear = q.linear();
        this.rowPtr = q.rowPtr();
        this.colIdx = q.colIdx();
        this.coupling = q.coupling();
        this.x = new byte[n];
        this.field = new double[n];
    }

    /** Fields and energy from x, after x was written wholesale (a random start, a copied state). */
    void recompute() {
        double e = 0;
        for (int i = 0; i < n; i++) {
            double f = linear[i];
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) f += coupling[k] * x[colIdx[k]];
            field[i] = f;
        }
        for (int i = 0; i < n; i++) {
            if (x[i] == 0) continue;
            e += linear[i];
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] > i) e += coupling[k] * x[colIdx[k]];
        }
        energy = e;
    }

    /** Flips xᵢ, whose ΔE the caller has read as {@code delta}, and moves its neighbours' fields. */
    void flip(int i, double delta) {
        byte xi = (byte) (x[i] ^ 1);
        x[i] = xi;
        energy += delta;
        int end = rowPtr[i + 1];
        if (xi == 1) {
            for (int k = rowPtr[i]; k < end; k++) field[colIdx[k]] += coupling[k];
        } else {
            for (int k = rowPtr[i]; k < end; k++) field[colIdx[k]] -= coupling[k];
        }
    }
}
