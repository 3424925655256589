package dev.kiln.solvers.problem;


/**
 * Minimise E(x) = Σᵢ aᵢ·xᵢ + Σ_{i<j} bᵢⱼ·xᵢ·xⱼ + offset over x ∈ {0,1}ⁿ: a QUBO in the
 * form every annealer works on. The diagonal ({@code linear}, aᵢ = Qᵢᵢ) is kept apart from the
 * couplings, which are stored once per direction in CSR ({@code rowPtr, colIdx, coupling}; row
 * i holds bᵢⱼ for each neighbour j, sorted, no duplicates, no zeros, no diagonal), so that the
 * cost of flipping xᵢ is read from one row: ΔEᵢ = (1 − 2xᵢ)·(aᵢ + Σⱼ bᵢⱼ·xⱼ).
 *
 * <p>A wire term {@code [i, j, w]} is the entry Qᵢⱼ = w of xᵀQx: on the diagonal it adds w to
 * aᵢ; off it, it adds w to bᵢⱼ (so {@code [i,j,w]} and {@code [j,i,w]} together give bᵢⱼ = 2w,
 * exactly as xᵀQx counts them). Built by {@link dev.kiln.solvers.qubo.QuboAssembler}; immutable afterwards.
 *
 * @param n        variables
 * @param linear   aᵢ, length n
 * @param rowPtr   CSR row pointers of the couplings, length n + 1
 * @param colIdx   neighbour indices
 * @param coupling bᵢⱼ, symmetric: the entry for (i, j) equals the one for (j, i)
 * @param offset   constant added to every energy (0 unless a conversion needs one)
 * @param origin   what the client sent, so answers can be given in its terms (cut for Max-Cut)
 */
public record QuboProblem(int n, double[] linear, int[] rowPtr, int[] colIdx, double[] coupling, double offset,
                          Origin origin) implements Problem {

    /** What the problem was before it became a QUBO: the answer's vocabulary depends on it. */
    public enum Origin {
        /** A QUBO as such: the answer is its energy. */
        QUBO,
        /** A Max-Cut graph converted exactly ({@code MaxCutGraph.toQubo()}): cut = −energy. */
        MAXCUT
    }

    public QuboProblem {
        if (n < 1) throw new InvalidProblemException("problem.n", "must be at least 1, was " + n);
        if (linear == null || linear.length != n) throw new InvalidProblemException("problem.linear", "must have n entries");
        if (rowPtr == null || rowPtr.length != n + 1) throw new InvalidProblemException("problem.rowPtr", "must have n + 1 entries");
        if (colIdx == null || coupling == null || colIdx.length != coupling.length || rowPtr[n] != colIdx.length) {
            throw new InvalidProblemException("problem.couplings", "colIdx and coupling must have rowPtr[n] entries");
        }
        if (origin == null) origin = Origin.QUBO;
    }

    @Override
    public int size() { return n; }

    /** Stored couplings counted once per unordered pair. */
    public long edges() { return colIdx.length / 2; }

    /** E(x) for x given as 0/1 bytes (exact for integer weights below 2⁵³). */
    public double energy(byte[] x) {
        double e = offset;
        for (int i = 0; i < n; i++) {
            if (x[i] == 0) continue;
            e += linear[i];
            double s = 0;
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                int j = colIdx[k];
                if (j > i && x[j] != 0) s += coupling[k];
            }
            e += s;
        }
        return e;
    }

    /** The local field fᵢ = aᵢ + Σⱼ bᵢⱼ·xⱼ, the energy change of switching xᵢ on (off: −fᵢ). */
    public double localField(byte[] x, int i) {
        double f = linear[i];
        for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (x[colIdx[k]] != 0) f += coupling[k];
        return f;
    }

    /** The objective in the client's terms: the cut for a Max-Cut problem, else the energy. */
    public double objective(double energy) {
        return origin == Origin.MAXCUT ? -energy : energy;
    }

    /** Largest |aᵢ| + Σⱼ |bᵢⱼ|: no single flip changes the energy by more. */
    public double maxAbsField() {
        double m = 0;
        for (int i = 0; i < n; i++) {
            double s = Math.abs(linear[i]);
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) s += Math.abs(coupling[k]);
            m = Math.max(m, s);
        }
        return m;
    }

    /** Smallest non-zero |aᵢ| or |bᵢⱼ|; 1 when every weight is zero. */
    public double minAbsNonZeroWeight() {
        double m = Double.POSITIVE_INFINITY;
        for (double v : linear) if (v != 0) m = Math.min(m, Math.abs(v));
        for (double v : coupling) if (v != 0) m = Math.min(m, Math.abs(v));
        return Double.isInfinite(m) ? 1 : m;
    }
}
