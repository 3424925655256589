package dev.kiln.spi;

/**
 * Options of a QUBO / Max-Cut job (wire format v1, {@code options} of {@code kind: qubo}).
 * Every backend honours the first four; the rest steer the neuromorphic emulator's Lava-style
 * annealing schedule and are ignored by the CPU annealer.
 *
 * @param timeLimitMs         stop after this much solving time and return the best found; 0: no limit
 *                            (then {@code replicas} bounds the work)
 * @param sweeps              sweeps (CPU) per anneal; 0: the backend's default (1000, as D-Wave's neal)
 * @param replicas            independent anneals in total; 0: as many as the time limit allows,
 *                            or 2 per core without one
 * @param target              stop as soon as the objective reaches this value, in the client's
 *                            terms (a cut for Max-Cut, reached when cut ≥ target; an energy for
 *                            QUBO, reached when energy ≤ target); NaN: none
 * @param timesteps           emulator: timesteps per run; 0: the emulator's default
 * @param schedule            emulator: {@code linear} or {@code geometric} temperature schedule
 * @param maxTemperature      emulator: starting temperature in units of the quantised weights; NaN: derived from them
 * @param minTemperature      emulator: temperature at which the schedule resets to the maximum; NaN: derived
 * @param stepsPerTemperature emulator: timesteps at each temperature
 * @param refractScaling      emulator: refractory period after a flip is {@code rand(0..255) >> refractScaling} timesteps
 */
public record QuboOptions(long timeLimitMs, int sweeps, int replicas, double target, long timesteps,
                          String schedule, double maxTemperature, double minTemperature,
                          int stepsPerTemperature, int refractScaling) implements KindOptions {

    /** Wire defaults: no limit, backend defaults, no target; emulator: geometric schedule, Lava's refract scaling 4. */
    public static QuboOptions defaults() {
        return new QuboOptions(0, 0, 0, Double.NaN, 0, "geometric", Double.NaN, Double.NaN, 8, 4);
    }

    public boolean hasTarget() { return !Double.isNaN(target); }

    /** The same options with a different time limit and target (benches, tests). */
    public QuboOptions withBudget(long timeLimitMs, double target) {
        return new QuboOptions(timeLimitMs, sweeps, replicas, target, timesteps, schedule, maxTemperature, minTemperature,
                stepsPerTemperature, refractScaling);
    }
}
