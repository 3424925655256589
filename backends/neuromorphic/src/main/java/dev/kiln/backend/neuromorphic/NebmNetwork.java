package dev.kiln.backend.neuromorphic;

/**
 * One emulated chip run of Lava's QUBO solver network: one stochastic binary neuron per
 * variable (lava-optimization's NEBM "simulated annealing local" neuron,
 * {@code solvers/qubo/simulated_annealing/process.py} and {@code solvers/generic/nebm/models.py}).
 * Each timestep, every neuron that is not refractory looks at its state, the local field
 * uᵢ = biasᵢ + Σⱼ wᵢⱼxⱼ in the chip's integers, and flips with the heat-bath (Boltzmann)
 * probability 1/(1 + exp(ΔEᵢ/T)), ΔEᵢ = (1 − 2xᵢ)·uᵢ, as {@code boltzmann()} in Lava's model.
 * All flips of a step are decided on the states at the start of the step and applied together;
 * their spikes (±wᵢⱼ) reach the neighbours' states for the next step, so flips of one step do
 * not see each other. A neuron that flipped stays refractory for {@code rand(0..255) >>
 * refractScaling} steps (Lava {@code SimulatedAnnealingLocal}: "rand(0, 255) >> refract_scaling").
 *
 * <p>The state is kept exact in an int and saturated to 24 bits where a neuron reads it (the
 * chip's state is 24-bit, Lava {@code precision=24}); {@link #saturations()} counts the reads
 * that hit the bound. The random draw is 12 bits per neuron per step, turned into the heat-bath
 * test ΔE &lt; T·ln((1−u)/u) through a 4096-entry table: the same acceptance probability to 2⁻¹²,
 * with one multiply instead of an exp per neuron (Loihi's neurons draw from per-core
 * pseudo-random generators of limited width, too).
 *
 * <p>Single-threaded; primitive arrays only; no allocation per step.
 */
final class NebmNetwork {
    private static final int RANDOM_BITS = 12;
    /** LOGIT[k] = ln((1 − u)/u) at u = (k + ½)/4096: accept a flip iff ΔE &lt; T·LOGIT[k]. */
    private static final double[] LOGIT = new double[1 << RANDOM_BITS];

    static {
        for (int k = 0; k < LOGIT.length; k++) {
            double u = (k + 0.5) / LOGIT.length;
            LOGIT[k] = Math.log((1 - u) / u);
        }
    }

    private final int n;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final int[] weights;
    private final int[] biases;
    private final int refractScaling;
    final byte[] x;
    final int[] state;
    final int[] refract;
    private final int[] flips;
    private long rng0;
    private long rng1;

    long chipEnergy;
    long flipsTotal;
    long synapticOps;
    long neuronUpdates;
    long saturations;
    int lastStepFlips;
    long lastStepSynapticOps;

    NebmNetwork(QuantizedQubo q, int refractScaling, long seed) { this(q, refractScaling, seed, false); }

    /**
     * @param randomInit start from a uniformly random assignment drawn from this network's own
     *                   generator (Lava's {@code init_value=('random', seed)}, as the Lava QUBO
     *                   tutorial runs it) instead of all zeros (Lava's default {@code init_value})
     */
    NebmNetwork(QuantizedQubo q, int refractScaling, long seed, boolean randomInit) {
        this.n = q.problem().n();
        this.rowPtr = q.problem().rowPtr();
        this.colIdx = q.problem().colIdx();
        this.weights = q.weights();
        this.biases = q.biases();
        this.refractScaling = refractScaling;
        this.x = new byte[n];
        this.state = biases.clone();
        this.refract = new int[n];
        this.flips = new int[n];
        long z = seed;
        rng0 = mix(z += 0x9E3779B97F4A7C15L);
        rng1 = mix(z + 0x9E3779B97F4A7C15L);
        if ((rng0 | rng1) == 0) rng1 = 1;
        // From x = 0 (Lava's default init_value 0): energy 0, state = bias.
        chipEnergy = 0;
        if (randomInit) {
            for (int i = 0; i < n; i++) {
                if ((next() >>> 63) == 0) continue;
                x[i] = 1;
                chipEnergy += state[i];
                for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) state[colIdx[k]] += weights[k];
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private long next() { // xorshift128+ (Vigna 2017)
        long a = rng0;
        long b = rng1;
        rng0 = b;
        a ^= a << 23;
        rng1 = a ^ b ^ (a >>> 17) ^ (b >>> 26);
        return rng1 + b;
    }

    /** One timestep at temperature {@code t} (chip units). */
    void step(double t) {
        int nf = 0;
        long r = 0;
        int bits = 0;
        for (int i = 0; i < n; i++) {
            if (refract[i] > 0) {
                refract[i]--;
                continue;
            }
            int s = state[i];
            if (s > QuantizedQubo.STATE_MAX) { s = QuantizedQubo.STATE_MAX; saturations++; }
            else if (s < QuantizedQubo.STATE_MIN) { s = QuantizedQubo.STATE_MIN; saturations++; }
            int dE = x[i] == 0 ? s : -s;
            if (bits < RANDOM_BITS) { r = next(); bits = 64; }
            int k = (int) (r & ((1 << RANDOM_BITS) - 1));
            r >>>= RANDOM_BITS;
            bits -= RANDOM_BITS;
            if (dE < t * LOGIT[k]) flips[nf++] = i;
        }
        neuronUpdates += n;
        long ops = 0;
        // Apply together: each flip's energy change is read from the state after the flips
        // before it in this list, which makes the running energy exact for the joint move.
        for (int f = 0; f < nf; f++) {
            int i = flips[f];
            int end = rowPtr[i + 1];
            if (x[i] == 0) {
                x[i] = 1;
                chipEnergy += state[i];
                for (int k = rowPtr[i]; k < end; k++) state[colIdx[k]] += weights[k];
            } else {
                x[i] = 0;
                chipEnergy -= state[i];
                for (int k = rowPtr[i]; k < end; k++) state[colIdx[k]] -= weights[k];
            }
            ops += end - rowPtr[i];
            refract[i] = (int) ((next() & 255) >>> refractScaling);
        }
        flipsTotal += nf;
        synapticOps += ops;
        lastStepFlips = nf;
        lastStepSynapticOps = ops;
    }

    long saturations() { return saturations; }
}
