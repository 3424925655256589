package dev.kiln.backend.cpu;

import java.util.List;

/**
 * What a multi-read anneal found.
 *
 * @param bestEnergy      lowest energy over all reads
 * @param best            its assignment
 * @param bestRead        the read that found it (lowest index among equal energies)
 * @param reads           reads finished (or stopped early)
 * @param sweeps          sweeps done over all reads
 * @param nanosToTarget   solving time until the target was first reached; −1 if never (or no target)
 * @param nanos           solving time in all
 * @param improvements    (nanos, energy) each time the best energy improved, for time-to-solution plots
 * @param stoppedBy       why the run ended: {@code reads}, {@code target}, {@code time}, {@code cancelled}, {@code deadline}
 */
public record QuboRun(double bestEnergy, byte[] best, long bestRead, long reads, long sweeps, long nanosToTarget, long nanos,
                      List<long[]> improvements, String stoppedBy) {

    /** Improvement points as (nanos, energy bits); use {@link #energyAt} to read the energy back. */
    public static double energyAt(long[] point) { return Double.longBitsToDouble(point[1]); }
}
