package dev.kiln.backend.neuromorphic;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * A QUBO as the chip holds it: integer synaptic weights of {@link #WEIGHT_BITS} signed bits
 * with one shared power-of-two exponent, and integer biases in the neurons' 24-bit state.
 * Loihi 2 synapses carry up to 8-bit weights scaled by a per-synapse-group exponent
 * (Orchard et al., "Efficient Neuromorphic Signal Processing with Loihi 2", SiPS 2021, §II:
 * "up to 8 bits" weights; Davies et al., IEEE Micro 38(1) 2018, §"Synapses": weight
 * mantissa and exponent); Lava's NEBM neurons keep their state in 24 bits
 * (lava-optimization {@code nebm/models.py}: {@code state ... precision=24}).
 *
 * <p>When every coupling is an integer that fits in 8 bits after removing a common power of
 * two, and every bias fits in 24 bits, the QUBO is held exactly ({@link #exact()}); otherwise
 * all weights are scaled by one factor so the largest coupling is 127 and rounded, and
 * {@link #maxRelativeError()} says how far the chip's Q is from the client's.
 *
 * @param weights    quantised couplings (mantissa · 2^exponent), CSR shaped like the problem's
 * @param biases     quantised diagonal
 * @param scale      chip units per client unit (1 when exact)
 * @param exponent   shared weight exponent
 * @param exact      whether the chip's Q equals the client's times {@code scale} exactly
 * @param maxRelativeError largest |chip − scale·client| / (scale·max|client|) over all weights
 */
public record QuantizedQubo(QuboProblem problem, int[] weights, int[] biases, double scale, int exponent, boolean exact,
                            double maxRelativeError) {
    /** Signed weight bits of a Loihi 2 synapse (see the class comment). */
    public static final int WEIGHT_BITS = 8;
    /** Neuron state bits (Lava NEBM: precision=24). */
    public static final int STATE_BITS = 24;
    public static final int STATE_MAX = (1 << (STATE_BITS - 1)) - 1;
    public static final int STATE_MIN = -(1 << (STATE_BITS - 1));
    private static final int MANTISSA_MAX = (1 << (WEIGHT_BITS - 1)) - 1;

    public static QuantizedQubo of(QuboProblem q) {
        double[] b = q.coupling();
        double[] a = q.linear();
        double maxB = 0;
        boolean integral = true;
        for (double v : b) {
            maxB = Math.max(maxB, Math.abs(v));
            integral &= v == Math.rint(v);
        }
        double maxA = 0;
        for (double v : a) {
            maxA = Math.max(maxA, Math.abs(v));
            integral &= v == Math.rint(v);
        }
        if (integral && maxA <= STATE_MAX) {
            // Largest exponent that divides every coupling, then check the mantissas fit.
            int exp = 0;
            while (exp < 16 && allDivisible(b, 1L << (exp + 1))) exp++;
            while (exp > 0 && !allDivisible(b, 1L << exp)) exp--;
            if (maxB / (1L << exp) <= MANTISSA_MAX + 1e-9) {
                int[] w = new int[b.length];
                for (int k = 0; k < b.length; k++) w[k] = (int) b[k];
                int[] bias = new int[a.length];
                for (int i = 0; i < a.length; i++) bias[i] = (int) a[i];
                return new QuantizedQubo(q, w, bias, 1, exp, true, 0);
            }
        }
        double scale = maxB == 0 ? (maxA == 0 ? 1 : Math.min(1, STATE_MAX / maxA)) : MANTISSA_MAX / maxB;
        int[] w = new int[b.length];
        double err = 0;
        double ref = Math.max(maxB, maxA) * scale;
        for (int k = 0; k < b.length; k++) {
            w[k] = (int) Math.round(b[k] * scale);
            err = Math.max(err, Math.abs(w[k] - b[k] * scale));
        }
        int[] bias = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = Math.max(STATE_MIN, Math.min(STATE_MAX, Math.round(a[i] * scale)));
            bias[i] = (int) s;
            err = Math.max(err, Math.abs(s - a[i] * scale));
        }
        return new QuantizedQubo(q, w, bias, scale, 0, false, ref == 0 ? 0 : err / ref);
    }

    private static boolean allDivisible(double[] b, long d) {
        for (double v : b) if (((long) v) % d != 0) return false;
        return true;
    }

    /** Largest |bias| + Σ|w| over neurons, in chip units: no flip changes the energy by more. */
    public long maxField() {
        long m = 0;
        int[] rp = problem.rowPtr();
        for (int i = 0; i < biases.length; i++) {
            long s = Math.abs((long) biases[i]);
            for (int k = rp[i]; k < rp[i + 1]; k++) s += Math.abs((long) weights[k]);
            m = Math.max(m, s);
        }
        return m;
    }

    /** Smallest non-zero |weight| or |bias| in chip units (1 when all are zero). */
    public long minWeight() {
        long m = Long.MAX_VALUE;
        for (int v : weights) if (v != 0) m = Math.min(m, Math.abs((long) v));
        for (int v : biases) if (v != 0) m = Math.min(m, Math.abs((long) v));
        return m == Long.MAX_VALUE ? 1 : m;
    }
}
