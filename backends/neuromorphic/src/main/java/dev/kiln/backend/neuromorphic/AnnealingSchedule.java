package dev.kiln.backend.neuromorphic;

/**
 * The temperature of each timestep, as Lava's QUBO solver anneals its NEBM neurons
 * (lava-optimization {@code solvers/generic/annealing/process.py}: {@code max_temperature},
 * {@code min_temperature}, {@code steps_per_temperature}, a {@code linear} or {@code geometric}
 * {@code annealing_schedule}, and a reset to the maximum once the minimum is reached). A cycle
 * has {@code levels} temperatures, each held for {@code stepsPerTemperature} steps.
 *
 * @param maxTemperature      first temperature of a cycle (chip units)
 * @param minTemperature      last temperature of a cycle
 * @param stepsPerTemperature steps at each level
 * @param levels              levels per cycle (≥ 1)
 * @param geometric           geometric (T·r per level) rather than linear (T − δ per level)
 */
public record AnnealingSchedule(double maxTemperature, double minTemperature, int stepsPerTemperature, int levels, boolean geometric) {

    /** Steps in one cycle, from the maximum down to the minimum. */
    public long cycleSteps() { return (long) stepsPerTemperature * levels; }

    /** The temperature at timestep {@code t} (0-based). */
    public double temperatureAt(long t) {
        int level = (int) ((t / stepsPerTemperature) % levels);
        if (levels == 1) return maxTemperature;
        double f = level / (double) (levels - 1);
        return geometric ? maxTemperature * Math.pow(minTemperature / maxTemperature, f)
                : maxTemperature - f * (maxTemperature - minTemperature);
    }
}
