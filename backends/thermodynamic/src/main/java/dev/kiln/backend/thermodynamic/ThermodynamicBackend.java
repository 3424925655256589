package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.UpdateRule;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Precision;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import dev.kiln.spi.TrainOptions;
import dev.kiln.spi.TrainRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simulated analog thermodynamic computer (Ornstein–Uhlenbeck dynamics of coupled RC cells;
 * see {@link DeviceModel}): linear jobs with SPD matrices ({@link ThermodynamicLinearSolver})
 * and train jobs with {@code optimizer: tngd | tngd-adam} ({@link ThermodynamicDirection}).
 * Reports modelled hardware seconds beside the wall time, and an assumption-labelled energy
 * range in the answer (there is no published energy figure).
 *
 * <p>Configuration: {@code kiln.thermodynamic.noise} (κ₀ for linear jobs, default 1e-3) and
 * {@code kiln.thermodynamic.bits} (default 8). Train jobs set both per job.
 *
 * <p>Threads: {@link #solve} may run concurrently; all simulation state is per job.
 */
public final class ThermodynamicBackend implements Backend {
    public static final String ID = "thermodynamic";

    private final ThermodynamicLinearSolver linear = new ThermodynamicLinearSolver();
    private volatile DeviceModel device = DeviceModel.defaults();

    @Override
    public String id() { return ID; }

    @Override
    public void configure(Map<String, ?> config) {
        DeviceModel d = DeviceModel.defaults();
        Object noise = config.get("kiln.thermodynamic.noise");
        if (noise != null) d = d.withNoise(Double.parseDouble(noise.toString()));
        Object bits = config.get("kiln.thermodynamic.bits");
        if (bits != null) d = d.withBits(Integer.parseInt(bits.toString()));
        device = d;
    }

    @Override
    public Probe probe() {
        DeviceModel d = device;
        return Probe.available("simulated analog thermodynamic computer (Ornstein–Uhlenbeck cells, τ = "
                + d.tauSeconds() * 1e6 + " µs, κ₀ = " + d.noise() + ", " + d.bits() + "-bit DAC/ADC), simulated on "
                + Runtime.getRuntime().availableProcessors() + " cores");
    }

    @Override
    public int defaultConcurrency() { return Math.max(1, Runtime.getRuntime().availableProcessors()); }

    @Override
    public Support supports(Job job) {
        return switch (job.kind()) {
            case LINEAR -> job.problem() instanceof LinearProblem ? linear.supports(job, device)
                    : Support.no(ErrorCode.INVALID_PROBLEM, "a linear job must carry a linear problem");
            case TRAIN -> {
                TrainOptions o = job.options().kind(TrainOptions.class);
                if (!(job.problem() instanceof TrainProblem) || o == null) {
                    yield Support.no(ErrorCode.INVALID_PROBLEM, "a train job must carry a train problem and train options");
                }
                yield o.optimizer().thermodynamic() ? Support.YES : Support.no(ErrorCode.UNSUPPORTED, "options.optimizer: "
                        + o.optimizer().wireName() + " is digital; the thermodynamic backend runs tngd and tngd-adam (sgd, adam, ngd run on cpu)");
            }
            case QUBO -> Support.no(ErrorCode.UNSUPPORTED, "the thermodynamic backend does not run qubo jobs (the neuromorphic and cpu backends do)");
        };
    }

    @Override
    public Features features(Job job) {
        return switch (job.kind()) {
            case LINEAR -> linear.features(job);
            case TRAIN -> {
                TrainProblem p = (TrainProblem) job.problem();
                TrainOptions o = job.options().kind(TrainOptions.class);
                double steps = o.epochs() * Math.ceil((double) p.data().train().rows() / o.batchSize());
                // batch × parameters per step, as the CPU backend's trainer says (CpuTrainer.features)
                yield new Features(p.size(), Math.min(o.batchSize(), p.data().train().rows()) * (long) p.size(), steps, 0L, Precision.FP64);
            }
            case QUBO -> throw new IllegalStateException("features() of an unsupported qubo job");
        };
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        return switch (job.kind()) {
            case LINEAR -> linear.solve(job, device, progress, cancellation);
            case TRAIN -> train(job, progress, cancellation);
            case QUBO -> throw new IllegalStateException("solve() of an unsupported qubo job");
        };
    }

    private SolveOutcome train(Job job, ProgressSink progress, Cancellation cancellation) {
        TrainProblem p = (TrainProblem) job.problem();
        TrainOptions o = job.options().kind(TrainOptions.class);
        DeviceModel d = device.withNoise(o.noise()).withBits(o.bits());
        double factors = (double) o.batchSize() * p.data().train().classes() * p.size();
        ThermodynamicDirection direction = new ThermodynamicDirection(d, o.analogTime(), o.delay(), o.warmStart(), factors,
                job.options().seed() ^ 0x7E57L);
        double lr = o.learningRateOrDefault();
        UpdateRule inner = o.optimizer() == TrainOptions.Optimizer.TNGD_ADAM
                ? UpdateRule.adam(lr, o.beta1(), o.beta2(), o.epsilon()) : UpdateRule.sgd(lr, o.momentum());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("learningRate", lr);
        params.put("damping", o.damping());
        params.put("analogTimeTau", o.analogTime());
        params.put("delayTau", o.delay());
        params.put("noise", o.noise());
        params.put("bits", o.bits());
        SolveOutcome out = TrainRun.run(job, UpdateRule.naturalGradient(direction, o.damping(), inner), o.optimizer().wireName(),
                params, progress, cancellation);
        Map<String, Object> answer = new LinkedHashMap<>(out.answer());
        DeviceModel.Cost c = direction.cost();
        answer.put("hardwareSeconds", c.seconds());
        answer.put("energyJoulesLow", c.joulesLow());
        answer.put("energyJoulesHigh", c.joulesHigh());
        answer.put("energyAssumption", DeviceModel.ENERGY_ASSUMPTION);
        answer.put("curvatureQuantisedSteps", direction.quantisedSteps());
        answer.put("curvatureUnquantisedSteps", direction.unquantisedSteps());
        return new SolveOutcome(out.method(), out.parameters(), out.iterations(), out.residualNorm(), out.converged(), out.solution(),
                out.error(), c.seconds(), Double.NaN, answer);
    }
}
