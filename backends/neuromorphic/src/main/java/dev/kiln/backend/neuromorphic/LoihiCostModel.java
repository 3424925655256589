package dev.kiln.backend.neuromorphic;

/**
 * Modelled time and energy of the emulated network on a Loihi-class chip. A timestep ends
 * with a barrier over all cores (Davies et al., "Loihi: A Neuromorphic Manycore Processor with
 * On-Chip Learning", IEEE Micro 38(1), 2018, §"Architecture": every core finishes its step,
 * then a barrier synchronisation token wave advances the whole mesh), so
 * <pre>
 *   t_step = max over cores (neuron updates · t_neuron + synaptic ops · t_syn)
 *          + spikes · mean hops · t_hop            (network)
 *          + t_barrier
 *   E      = P_static · t + Σ ops · e_op
 * </pre>
 *
 * <p><b>Every per-op constant below is a Loihi 1 figure</b> (Davies et al. 2018, Table 1,
 * "Loihi ... performance characteristics"), because no per-op table for Loihi 2 is public; Loihi 2
 * runs its asynchronous cores up to about 10× faster per Intel's product brief ("Taking
 * Neuromorphic Computing to the Next Level with Loihi 2", 2021), so times here are pessimistic
 * for Loihi 2 by up to that factor. The figures were transcribed from memory of that table in a
 * session without the paper at hand: treat each as ±50 %. The static power is an assumed
 * order of magnitude, not a published figure. Ratios (steps, flips, synaptic ops) are exact
 * counts from the emulation; only their conversion to seconds and joules carries this uncertainty.
 */
public record LoihiCostModel(double neuronUpdateSeconds, double synapticOpSeconds, double hopSeconds, double barrierSeconds,
                             double neuronUpdateJoules, double synapticOpJoules, double spikeJoules, double staticWatts,
                             int neuronsPerCore, int coresPerChip) {

    /** Loihi 2: 8192 neurons per core and 128 cores per chip (Intel Loihi 2 brief, 2021, "Loihi 2 at a glance"). */
    public static final int LOIHI2_NEURONS_PER_CORE = 8192;
    public static final int LOIHI2_CORES_PER_CHIP = 128;

    /**
     * The default model. Sources (Davies et al. 2018, Table 1, Loihi 1, as transcribed; ±50 %):
     * time per active neuron update 8.4 ns; time per synaptic spike op 3.5 ns; energy per neuron
     * update 52 pJ; energy per synaptic spike op 23.6 pJ; energy per within-tile spike 1.7 pJ
     * (used per spike message); latency per tile hop about 4–6.5 ns (5 ns used). The barrier
     * synchronisation time per step, about 0.5 µs for a full chip, is the same table's order of
     * magnitude for a mesh-wide token wave. Static power 0.5 W is an assumption (order of
     * magnitude of a Loihi chip's leakage), stated as such.
     */
    public static LoihiCostModel loihi2Default() {
        return new LoihiCostModel(8.4e-9, 3.5e-9, 5e-9, 0.5e-6, 52e-12, 23.6e-12, 1.7e-12, 0.5,
                LOIHI2_NEURONS_PER_CORE, LOIHI2_CORES_PER_CHIP);
    }

    /**
     * Cores a problem of {@code n} neurons is spread over: as many as the chip has, so each core
     * holds ⌈n/128⌉ neurons (a compiler maximising speed spreads the network; the per-step time is
     * set by the fullest core), but at least ⌈n/8192⌉. More than one chip's worth is refused by
     * the backend.
     */
    public int coresFor(int n) {
        return (int) Math.min(Math.max((long) Math.ceil(n / (double) neuronsPerCore), Math.min(n, coresPerChip)), Integer.MAX_VALUE);
    }

    /** The modelled time of one step on {@code cores} cores (ops spread evenly, the fullest core sets the pace). */
    public double stepSeconds(int cores, long neuronUpdates, long synapticOps, long spikes) {
        double perCore = Math.ceil(neuronUpdates / (double) cores) * neuronUpdateSeconds
                + Math.ceil(synapticOps / (double) cores) * synapticOpSeconds;
        // Mean Manhattan distance on a √cores × √cores mesh is about (2/3)·√cores hops.
        double hops = cores <= 1 ? 0 : (2.0 / 3.0) * Math.sqrt(cores);
        double network = spikes == 0 ? 0 : hops * hopSeconds * Math.ceil(spikes / (double) cores);
        return perCore + network + barrierSeconds;
    }

    /** Dynamic energy of the counted operations. */
    public double dynamicJoules(long neuronUpdates, long synapticOps, long spikes) {
        return neuronUpdates * neuronUpdateJoules + synapticOps * synapticOpJoules + spikes * spikeJoules;
    }
}
