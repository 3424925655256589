package dev.kiln.backend.neuromorphic;

import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The neuromorphic backend: an emulator of Lava's QUBO solver on one Loihi 2 chip
 * ({@link LoihiEmulator}). It runs QUBO and Max-Cut jobs only, and reports beside the answer
 * what the chip would have done: timesteps, flips, synaptic ops, cores, and modelled hardware
 * time and energy ({@link LoihiCostModel}: Loihi 1 per-op figures, stated uncertainty).
 * Problems needing more than one chip's 128 cores × 8192 neurons are refused: multi-chip
 * mapping is not emulated.
 *
 * <p>Configuration: {@code kiln.neuromorphic.threads} (emulation threads, default the cores).
 */
public final class NeuromorphicBackend implements Backend {
    public static final String ID = "neuromorphic";

    private volatile LoihiEmulator emulator = new LoihiEmulator(LoihiCostModel.loihi2Default(), Runtime.getRuntime().availableProcessors());

    @Override
    public String id() { return ID; }

    @Override
    public void configure(Map<String, ?> config) {
        Object t = config.get("kiln.neuromorphic.threads");
        if (t != null) emulator = new LoihiEmulator(LoihiCostModel.loihi2Default(), Integer.parseInt(t.toString().trim()));
    }

    @Override
    public Probe probe() {
        LoihiCostModel c = emulator.cost();
        return Probe.available("Loihi 2 emulator (Lava NEBM QUBO solver), 1 chip: " + c.coresPerChip() + " cores × "
                + c.neuronsPerCore() + " neurons; modelled time/energy from Loihi 1 per-op figures");
    }

    @Override
    public Support supports(Job job) {
        if (job.kind() != JobKind.QUBO || !(job.problem() instanceof QuboProblem q)) {
            return Support.no(ErrorCode.UNSUPPORTED, "the neuromorphic emulator runs qubo (and maxcut) jobs only, not " + job.kind().wireName());
        }
        LoihiCostModel c = emulator.cost();
        long capacity = (long) c.coresPerChip() * c.neuronsPerCore();
        if (q.n() > capacity) {
            return Support.no(ErrorCode.TOO_LARGE, q.n() + " variables need " + (q.n() + c.neuronsPerCore() - 1) / c.neuronsPerCore()
                    + " cores; one Loihi 2 chip has " + c.coresPerChip() + " × " + c.neuronsPerCore() + " neurons and multi-chip mapping is not emulated");
        }
        return Support.YES;
    }

    @Override
    public Features features(Job job) {
        return emulator.features((QuboProblem) job.problem(), options(job));
    }

    private static QuboOptions options(Job job) {
        QuboOptions o = job.options().kind(QuboOptions.class);
        return o == null ? QuboOptions.defaults() : o;
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        QuboProblem p = (QuboProblem) job.problem();
        QuboOptions o = options(job);
        QuantizedQubo q = QuantizedQubo.of(p);
        EmulatorRun run = emulator.run(q, o, job.options().seed(), cancellation, progress);
        JobError error = switch (run.stoppedBy()) {
            case "cancelled" -> new JobError(ErrorCode.CANCELLED, "cancelled after " + run.replicas() + " runs; answer holds the best found");
            case "deadline" -> new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed after " + run.replicas() + " runs; answer holds the best found");
            default -> null;
        };
        AnnealingSchedule s = LoihiEmulator.schedule(q, o);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("schedule", s.geometric() ? "geometric" : "linear");
        params.put("maxTemperature", s.maxTemperature());
        params.put("minTemperature", s.minTemperature());
        params.put("stepsPerTemperature", s.stepsPerTemperature());
        params.put("refractScaling", o.refractScaling());
        return new SolveOutcome("nebm-annealing", params, (int) Math.min(Integer.MAX_VALUE, run.timesteps()), Double.NaN,
                error == null, null, error, run.hardwareSeconds(), run.energyJoules(), answer(p, q, o, run));
    }

    static Map<String, Object> answer(QuboProblem p, QuantizedQubo q, QuboOptions o, EmulatorRun run) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("energy", run.bestEnergy());
        if (p.origin() == QuboProblem.Origin.MAXCUT) a.put("cut", p.objective(run.bestEnergy()));
        a.put("assignment", run.best());
        a.put("timesteps", run.timesteps());
        a.put("stepsToBest", run.stepsToBest());
        a.put("replicas", run.replicas());
        a.put("flips", run.flips());
        a.put("synapticOps", run.synapticOps());
        a.put("neuronUpdates", run.neuronUpdates());
        a.put("cores", run.cores());
        a.put("hwTimeMs", run.hardwareSeconds() * 1e3);
        a.put("hwTimeToBestMs", run.hardwareSecondsToBest() * 1e3);
        a.put("hwEnergyMj", run.energyJoules() * 1e3);
        a.put("stateSaturations", run.saturations());
        a.put("quantisation", Map.of("exact", q.exact(), "scale", q.scale(), "weightExponent", q.exponent(),
                "maxRelativeError", q.maxRelativeError(), "weightBits", QuantizedQubo.WEIGHT_BITS, "stateBits", QuantizedQubo.STATE_BITS));
        a.put("stoppedBy", run.stoppedBy());
        if (o.hasTarget()) {
            a.put("target", o.target());
            long first = -1;
            for (long v : run.stepsToTarget()) if (v >= 0 && (first < 0 || v < first)) first = v;
            a.put("targetReached", first >= 0);
            if (first >= 0) {
                a.put("stepsToTarget", first);
                a.put("hwTimeToTargetMs", run.hardwareSecondsToTarget() * 1e3);
            }
        }
        return a;
    }
}
