package dev.kiln.backend.neuromorphic;

import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the emulated Loihi network ({@link NebmNetwork}) of a QUBO: independent chip runs
 * (replicas), one per worker thread at a time, each with its own seed; the best over all runs
 * is the answer. Counts every neuron update, flip and synaptic op, and converts the best run's
 * counts to modelled chip time and energy with a {@link LoihiCostModel}.
 *
 * <p>Defaults where the client gives none follow the Lava QUBO tutorial's run of the NEBM
 * solver on Loihi 2 (lava-nc/lava-optimization {@code tutorials/tutorial_QUBO_solver.ipynb},
 * {@code solve_qubo}: {@code timeout=4000}, {@code init_value=('random', seed)}, one slow
 * annealing cycle over the whole run — {@code steps_per_temperature = timeout//2} with
 * {@code temperature_max=2}, {@code temperature_min=0}, {@code temperature_delta=1}) and Lava's
 * default {@code refract_scaling=4} for the refractory NEBM-SA neuron
 * ({@code solvers/generic/sub_process_models.py}, {@code DiscreteVariablesModel}): 4000
 * timesteps per run; a uniformly random start; one cycle spanning the run, i.e.
 * ⌊timesteps / stepsPerTemperature⌋ geometric levels; the hottest temperature half the
 * smallest non-zero quantised weight and the coldest a twentieth of that. The tutorial's
 * temperatures are in the chip's fixed-point units, whose scaling against Q is not public, so
 * the level was set on this repository's own instances (G11, G14, G22, mis-uniform-100 in
 * {@code ../shared/data/qubo}): T_max = 4 min|w| and hotter settle percent-level worse on the
 * ±1 graphs (G11: 15 % short at the old default), T_max = min|w| reaches the MIS optimum in
 * fewer runs than min|w|/2; the issue-6 section of docs/ARCHITECTURE.md has the figures. The earlier default (neal's range: T_max = max ΔE/ln 2,
 * cycles of 1000 steps) was 16–18 % short of the CPU annealer on G11/G12.
 */
public final class LoihiEmulator {
    /** Lava's QUBO tutorial runs 4000 Loihi 2 timesteps. */
    public static final long DEFAULT_TIMESTEPS = 4000;
    /**
     * Coldest over hottest default temperature: the cycle cools 20-fold. Set on G11/G14 (see the
     * class comment): a 10-fold range ends with flips still accepted uphill, 100-fold spends the
     * second half of the run frozen.
     */
    static final double DEFAULT_COOLING_RATIO = 20;

    private final LoihiCostModel cost;
    private final int threads;

    public LoihiEmulator(LoihiCostModel cost, int threads) {
        this.cost = cost;
        this.threads = Math.max(1, threads);
    }

    public LoihiCostModel cost() { return cost; }

    /**
     * The schedule used for {@code q} with options {@code o}: one cycle spanning the run
     * (⌊timesteps / stepsPerTemperature⌋ levels, as the Lava tutorial's single slow cycle) from
     * {@code maxTemperature} (default: half the smallest non-zero quantised weight) down to
     * {@code minTemperature} (default: a twentieth of the maximum).
     */
    public static AnnealingSchedule schedule(QuantizedQubo q, QuboOptions o) {
        double maxT = Double.isNaN(o.maxTemperature()) ? Math.max(1e-9, q.minWeight() / 2.0) : o.maxTemperature();
        double minT = Double.isNaN(o.minTemperature()) ? maxT / DEFAULT_COOLING_RATIO : Math.min(o.minTemperature(), maxT);
        if (o.schedule().equals("geometric") && minT <= 0) minT = maxT / DEFAULT_COOLING_RATIO;
        int spt = Math.max(1, o.stepsPerTemperature());
        long steps = o.timesteps() > 0 ? o.timesteps() : DEFAULT_TIMESTEPS;
        int levels = (int) Math.max(1, Math.min(Integer.MAX_VALUE, steps / spt));
        return new AnnealingSchedule(maxT, minT, spt, levels, !o.schedule().equals("linear"));
    }

    /**
     * The cost model's features of a run of {@code p}: (n + nnz) × iterations is its work in
     * neuron updates on the busiest worker thread. n = variables; nnz = 0: a timestep updates
     * every neuron, and reads couplings only for the step's flips (measured here, the probe
     * below: 0.001–0.3 synaptic ops per neuron per step on the routing bench's 12 instances);
     * iterations = rounds of chip runs (⌈replicas ÷ threads⌉) × timesteps, plus the set-up —
     * quantising the couplings once, and each run's random start, which sends every set
     * neuron's spikes — as {@link #SETUP_UPDATES_PER_COUPLING} updates a coupling. A run under a
     * time limit without a replica count lasts the limit, which this does not describe (it counts
     * one round).
     */
    public Features features(QuboProblem p, QuboOptions o) {
        long steps = o.timesteps() > 0 ? o.timesteps() : DEFAULT_TIMESTEPS;
        long replicas = o.replicas() > 0 ? o.replicas() : threads;
        long rounds = (replicas + threads - 1) / threads;
        int n = Math.max(1, p.n());
        return new Features(p.n(), 0, rounds * (double) steps + SETUP_UPDATES_PER_COUPLING * p.colIdx().length / n, 0, Precision.FP32);
    }

    /**
     * Neuron updates the set-up costs per stored coupling. Measured here (a throwaway probe, one
     * thread, one replica, min of 15, {@code ../shared/data/qubo}'s 12 instances of the routing
     * bench, 29 Nov, load 12): a timestep cost 2.0–6.3 ns a neuron, and quantising plus a run's
     * fixed part (a 100-step run less 100 steps) 7–20 updates' worth a coupling (G-set 7–8,
     * Beasley 9–20, MIS 17–20; mis-1000: 1.9 ms, 880 timesteps of its 2.2 µs); 10 is their
     * geometric mean.
     */
    static final double SETUP_UPDATES_PER_COUPLING = 10;

    public EmulatorRun run(QuboProblem p, QuboOptions o, long seed, Cancellation cancellation, ProgressSink progress) {
        QuantizedQubo q = QuantizedQubo.of(p);
        return run(q, o, seed, cancellation, progress);
    }

    public EmulatorRun run(QuantizedQubo q, QuboOptions o, long seed, Cancellation cancellation, ProgressSink progress) {
        QuboProblem p = q.problem();
        int n = p.n();
        int cores = cost.coresFor(n);
        long steps = o.timesteps() > 0 ? o.timesteps() : DEFAULT_TIMESTEPS;
        AnnealingSchedule schedule = schedule(q, o);
        long maxReplicas = o.replicas() > 0 ? o.replicas() : o.timeLimitMs() > 0 ? Long.MAX_VALUE : threads;
        double clientTarget = !o.hasTarget() ? Double.NEGATIVE_INFINITY
                : p.origin() == QuboProblem.Origin.MAXCUT ? -o.target() : o.target();
        // The chip's energy is scale · (client energy − offset) exactly when the quantisation is exact.
        double chipTarget = (clientTarget - p.offset()) * q.scale();
        long start = System.nanoTime();
        long stopAt = o.timeLimitMs() > 0 ? start + o.timeLimitMs() * 1_000_000L : Long.MAX_VALUE;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger nextReplica = new AtomicInteger();
        Best best = new Best(n);
        int workers = (int) Math.min(threads, maxReplicas);
        Runnable worker = () -> {
            while (!stop.get()) {
                int r = nextReplica.getAndIncrement();
                if (r >= maxReplicas) break;
                NebmNetwork net = new NebmNetwork(q, o.refractScaling(), mix(seed * 0x9E3779B97F4A7C15L + r), true);
                // The start (random, see the class comment) is the first candidate: a run cut short
                // by the clock still answers with a state it held, never an all-zero one it did not.
                byte[] mine = net.x.clone();
                long bestChip = net.chipEnergy;
                long stepAtBest = 0;
                double hw = 0, hwAtBest = 0, hwAtTarget = -1;
                double joules = 0;
                long stepAtTarget = -1;
                long t = 0;
                while (t < steps) {
                    net.step(schedule.temperatureAt(t));
                    t++;
                    hw += cost.stepSeconds(cores, n, net.lastStepSynapticOps, net.lastStepFlips);
                    if (net.chipEnergy < bestChip) {
                        bestChip = net.chipEnergy;
                        stepAtBest = t;
                        hwAtBest = hw;
                        System.arraycopy(net.x, 0, mine, 0, n);
                    }
                    if (net.chipEnergy <= chipTarget && stepAtTarget < 0) {
                        stepAtTarget = t;
                        hwAtTarget = hw;
                        best.stop("target", stop);
                        break;
                    }
                    if ((t & 63) == 0) {
                        if (stop.get()) break;
                        if (System.nanoTime() >= stopAt) { best.stop("time", stop); break; }
                        if (cancellation.cancelled()) { best.stop("cancelled", stop); break; }
                        if (cancellation.deadlinePassed()) { best.stop("deadline", stop); break; }
                        progress.report((int) Math.min(Integer.MAX_VALUE, t), bestChip / q.scale() + p.offset());
                    }
                }
                joules = cost.staticWatts() * hw + cost.dynamicJoules(net.neuronUpdates, net.synapticOps, net.flipsTotal);
                best.offer(r, p.energy(mine), mine, t, stepAtBest, stepAtTarget, hw, hwAtBest, hwAtTarget, joules, net);
            }
        };
        if (workers == 1) {
            worker.run();
        } else {
            List<Thread> ts = new ArrayList<>();
            for (int w = 0; w < workers; w++) ts.add(Thread.ofPlatform().name("kiln-loihi-" + w).daemon().start(worker));
            for (Thread th : ts) {
                try {
                    th.join();
                } catch (InterruptedException e) {
                    stop.set(true);
                    Thread.currentThread().interrupt();
                }
            }
        }
        return best.result(cores, System.nanoTime() - start);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The best run so far, shared by the workers (updated once per run). */
    private static final class Best {
        private final byte[] best;
        private double energy = Double.POSITIVE_INFINITY;
        private int replica = Integer.MAX_VALUE;
        private int replicas;
        private long timesteps, stepsToBest, flips, synapticOps, neuronUpdates, saturations;
        private double hw, hwToBest, joules;
        private double hwToTarget = -1;
        private long[] stepsToTarget = new long[0];
        private String stoppedBy;

        Best(int n) { best = new byte[n]; }

        synchronized void offer(int r, double e, byte[] x, long steps, long stepAtBest, long stepAtTarget, double hwAll,
                                double hwAtBest, double hwAtTarget, double j, NebmNetwork net) {
            replicas++;
            flips += net.flipsTotal;
            synapticOps += net.synapticOps;
            neuronUpdates += net.neuronUpdates;
            saturations += net.saturations();
            if (r >= stepsToTarget.length) {
                int old = stepsToTarget.length;
                stepsToTarget = Arrays.copyOf(stepsToTarget, Math.max(r + 1, 2 * old));
                Arrays.fill(stepsToTarget, old, stepsToTarget.length, -1);
            }
            stepsToTarget[r] = stepAtTarget;
            if (stepAtTarget >= 0 && (hwToTarget < 0 || hwAtTarget < hwToTarget)) hwToTarget = hwAtTarget;
            if (e < energy || e == energy && r < replica) {
                energy = e;
                replica = r;
                System.arraycopy(x, 0, best, 0, best.length);
                timesteps = steps;
                stepsToBest = stepAtBest;
                hw = hwAll;
                hwToBest = hwAtBest;
                joules = j;
            }
        }

        synchronized void stop(String why, AtomicBoolean stop) {
            if (stoppedBy == null) stoppedBy = why;
            stop.set(true);
        }

        synchronized EmulatorRun result(int cores, long wall) {
            int used = 0;
            for (int i = 0; i < stepsToTarget.length; i++) if (i < replicas || stepsToTarget[i] >= 0) used = i + 1;
            return new EmulatorRun(energy, best.clone(), replicas, timesteps, stepsToBest, Arrays.copyOf(stepsToTarget, Math.min(used, replicas)),
                    flips, synapticOps, neuronUpdates, saturations, cores, hw, hwToBest, hwToTarget, joules, wall,
                    stoppedBy == null ? "timesteps" : stoppedBy);
        }
    }
}
