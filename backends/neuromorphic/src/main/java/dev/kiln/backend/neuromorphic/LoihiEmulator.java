package dev.kiln.backend.neuromorphic;

import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Cancellation;
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
 * <p>Defaults where the client gives none: 4000 timesteps per run (the Lava QUBO tutorial's
 * budget on Loihi 2); a cycle of 125 temperature levels × {@code stepsPerTemperature} steps;
 * the temperature range derived from the quantised weights as D-Wave's neal derives its β
 * range (hottest: the largest possible ΔE flips with probability 1/3 under heat-bath, i.e.
 * T = maxΔE/ln 2; coldest: the smallest non-zero weight flips with probability 1/101, i.e.
 * T = minΔE/ln 100).
 */
public final class LoihiEmulator {
    /** Lava's QUBO tutorial runs 4000 Loihi 2 timesteps. */
    public static final long DEFAULT_TIMESTEPS = 4000;
    /** Temperature levels per annealing cycle (so a cycle is 1000 steps at the default 8 steps per level). */
    public static final int DEFAULT_LEVELS = 125;

    private final LoihiCostModel cost;
    private final int threads;

    public LoihiEmulator(LoihiCostModel cost, int threads) {
        this.cost = cost;
        this.threads = Math.max(1, threads);
    }

    public LoihiCostModel cost() { return cost; }

    /** The schedule used for {@code q} with options {@code o}. */
    public static AnnealingSchedule schedule(QuantizedQubo q, QuboOptions o) {
        double maxT = Double.isNaN(o.maxTemperature()) ? Math.max(1e-9, q.maxField() / Math.log(2)) : o.maxTemperature();
        double minT = Double.isNaN(o.minTemperature()) ? Math.min(maxT, q.minWeight() / Math.log(100)) : Math.min(o.minTemperature(), maxT);
        if (o.schedule().equals("geometric") && minT <= 0) minT = Math.min(maxT, q.minWeight() / Math.log(100));
        return new AnnealingSchedule(maxT, minT, Math.max(1, o.stepsPerTemperature()), DEFAULT_LEVELS, !o.schedule().equals("linear"));
    }

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
                NebmNetwork net = new NebmNetwork(q, o.refractScaling(), mix(seed * 0x9E3779B97F4A7C15L + r));
                byte[] mine = new byte[n];
                long bestChip = 0;
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
