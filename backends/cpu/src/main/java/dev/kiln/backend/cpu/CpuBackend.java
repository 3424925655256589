package dev.kiln.backend.cpu;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

/**
 * The CPU backend: Kiln's default workhorse. It dispatches each kind of job to the class
 * that solves it on this machine's cores ({@link CpuLinearSolver} for linear systems).
 *
 * <p>Threads: {@link #solve} runs on a runtime worker thread and may run concurrently for
 * different jobs; the solvers keep no mutable state between jobs.
 */
public final class CpuBackend implements Backend {
    public static final String ID = "cpu";

    private final CpuLinearSolver linear = new CpuLinearSolver();
    private final CpuQuboSolver qubo = new CpuQuboSolver();
    private final CpuTrainer train = new CpuTrainer();

    @Override
    public String id() { return ID; }

    @Override
    public Probe probe() {
        dev.kiln.backend.cpu.kernel.CpuKernels.warmUpInBackground();   // compile the kernels before the first job (once)
        Runtime rt = Runtime.getRuntime();
        return Probe.available(rt.availableProcessors() + " cores, " + System.getProperty("os.arch") + ", "
                + (rt.maxMemory() >> 20) + " MiB heap, Java " + Runtime.version().feature() + ", "
                + dev.kiln.backend.cpu.kernel.CpuKernels.describe());
    }

    @Override
    public int defaultConcurrency() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public Support supports(Job job) {
        return switch (job.kind()) {
            case LINEAR -> linear.supports(job);
            case QUBO -> qubo.supports(job);
            case TRAIN -> train.supports(job);
        };
    }

    @Override
    public Features features(Job job) {
        return switch (job.kind()) {
            case LINEAR -> linear.features(job);
            case QUBO -> qubo.features(job);
            case TRAIN -> train.features(job);
        };
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        return switch (job.kind()) {
            case LINEAR -> linear.solve(job, progress, cancellation);
            case QUBO -> qubo.solve(job, progress, cancellation);
            case TRAIN -> train.solve(job, progress, cancellation);
        };
    }
}
