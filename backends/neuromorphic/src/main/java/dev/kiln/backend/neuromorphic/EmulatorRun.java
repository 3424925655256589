package dev.kiln.backend.neuromorphic;

/**
 * What the emulator found, and what the modelled chip would have spent.
 *
 * @param bestEnergy          lowest energy found, in the client's units (evaluated on the client's Q)
 * @param best                its assignment
 * @param replicas            independent chip runs done (one per worker thread at a time)
 * @param timesteps           timesteps of the run that found the best
 * @param stepsToBest         timestep at which that run first held its best state
 * @param stepsToTarget       per run, the first timestep holding a state at the target; −1 where never
 * @param flips               flips over all runs
 * @param synapticOps         synaptic operations over all runs
 * @param neuronUpdates       neuron updates over all runs
 * @param saturations         state reads that hit the 24-bit bound
 * @param cores               cores the network is mapped to
 * @param hardwareSeconds     modelled chip time of the best run, all its steps
 * @param hardwareSecondsToBest modelled chip time until the best run first held its best state
 * @param hardwareSecondsToTarget modelled chip time until the first run to reach the target did (−1: none)
 * @param energyJoules        modelled chip energy of the best run
 * @param wallNanos           emulation time on this machine
 * @param stoppedBy           {@code timesteps}, {@code target}, {@code time}, {@code cancelled} or {@code deadline}
 */
public record EmulatorRun(double bestEnergy, byte[] best, int replicas, long timesteps, long stepsToBest, long[] stepsToTarget,
                          long flips, long synapticOps, long neuronUpdates, long saturations, int cores,
                          double hardwareSeconds, double hardwareSecondsToBest, double hardwareSecondsToTarget,
                          double energyJoules, long wallNanos, String stoppedBy) {
}
