package dev.kiln.backend.opencl;

import dev.kiln.solvers.qubo.AnnealSchedule;
import dev.kiln.solvers.qubo.SweepCost;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_TRUE;

/**
 * QUBO and Max-Cut on the OpenCL device: many-replica simulated annealing, one work-item per
 * replica ({@code anneal.cl}), the CPU backend's algorithm and schedule run by R replicas at
 * once. Replica (read) r of a job starts from the same seeded random state as the CPU
 * backend's read r ({@code splitmix(seed·φ + r)}); acceptance draws have 24 bits here, so the
 * trajectories part after the first uphill move. The host launches {@link #SWEEPS_PER_LAUNCH}
 * sweeps at a time and between launches watches the time limit, cancellation, the deadline and
 * the target (from the device's incrementally tracked energies; the answer's energy is always
 * recomputed exactly on the host in fp64 from the returned assignment). A read cut short is
 * still polished to a 1-flip local minimum, so every returned state is one.
 *
 * <p>The answer map has the CPU backend's keys ({@code energy}, {@code cut} for Max-Cut,
 * {@code assignment}, {@code reads}, {@code sweeps}, {@code solveMs}, {@code stoppedBy}, and
 * the target fields). Not thread-safe per solve; concurrent solves use their own queues,
 * kernels and buffers.
 */
final class OpenClQuboSolver {
    static final String SOURCE = "anneal.cl";

    /** neal's default sweeps per read (dwave-neal {@code SimulatedAnnealingSampler.sample}, num_sweeps=1000), as on the CPU. */
    static final int DEFAULT_SWEEPS = 1000;

    /**
     * Sweeps per kernel launch: short enough that the host sees the clock and cancellation
     * often and no launch nears a display driver's watchdog (about 2 s on Windows' TDR default),
     * long enough that launch overhead (tens of µs) is negligible against a sweep of n flips.
     */
    static final int SWEEPS_PER_LAUNCH = 32;

    /** Replicas per compute unit on a CPU device when the job leaves it open: 2, the CPU backend's reads per core. */
    static final int REPLICAS_PER_CPU_UNIT = 2;

    private final ClDevice device;
    private final OpenClConfig config;

    OpenClQuboSolver(ClDevice device, OpenClConfig config) {
        this.device = device;
        this.config = config;
    }

    Support supports(Job job) {
        if (!(job.problem() instanceof QuboProblem q)) {
            return Support.no(ErrorCode.INVALID_PROBLEM, "a qubo job must carry a QUBO problem");
        }
        long states = (long) replicasPerRound(options(job)) * q.n() * ClBuffers.realSize(fp64());
        if (states > device.info.maxAllocBytes()) {
            return Support.no(ErrorCode.TOO_LARGE, "problem.n: the replicas' local fields need " + states + " bytes, over the "
                    + "device's largest allocation of " + device.info.maxAllocBytes() + " bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        return Support.YES;
    }

    /**
     * The cost model's features: (n + nnz) × iterations is the solve's work in sweep variable
     * visits ({@link SweepCost}, the CPU backend's sweep, which {@code anneal.cl} runs per
     * work-item) on the busiest compute unit: n = variables, nnz = the couplings' share of a
     * sweep, iterations = sweeps × the replicas one unit runs one after another
     * ({@link #replicasInSeries}) × rounds. A run under a time limit without a read count lasts
     * the limit, which this does not describe (it counts one round).
     */
    Features features(Job job) {
        QuboProblem q = (QuboProblem) job.problem();
        QuboOptions o = options(job);
        int sweeps = o.sweeps() > 0 ? o.sweeps() : DEFAULT_SWEEPS;
        int perRound = replicasPerRound(o);
        long rounds = o.replicas() > 0 ? (o.replicas() + perRound - 1) / perRound : 1;
        long real = ClBuffers.realSize(fp64());
        long bytes = (q.n() + 1L) * Integer.BYTES + q.colIdx().length * (Integer.BYTES + real) + q.n() * real
                + (long) perRound * q.n(); // the problem up, the assignments back
        return new Features(q.n(), SweepCost.couplingShare(q), (double) sweeps * replicasInSeries(perRound) * rounds, bytes,
                fp64() ? Precision.FP64 : Precision.FP32);
    }

    /**
     * Replicas of a round of {@code replicas} that one compute unit runs one after another: a
     * launch has work-groups of {@link #launch}'s size spread over the units; a CPU device runs a
     * work-group's work-items on one thread in turn (PoCL's pthread device; measured here with the
     * probe of {@link SweepCost}: 2 replicas in one group took 2.6–3.1× one CPU read of the same
     * sweeps on mis-1000 and bqp500), a GPU side by side.
     */
    long replicasInSeries(int replicas) {
        long wg = groupSize(replicas);
        long groups = (replicas + wg - 1) / wg;
        long groupsPerUnit = (groups + device.info.computeUnits() - 1) / device.info.computeUnits();
        return device.info.type().equals("cpu") ? groupsPerUnit * wg : groupsPerUnit;
    }

    private boolean fp64() { return device.info.fp64() && !config.forceFp32(); }

    static QuboOptions options(Job job) {
        QuboOptions o = job.options().kind(QuboOptions.class);
        return o == null ? QuboOptions.defaults() : o;
    }

    /**
     * Replicas launched together: the job's {@code replicas} when given, else on a GPU one
     * work-group per compute unit (enough work-items to occupy every unit once), on a CPU
     * device {@link #REPLICAS_PER_CPU_UNIT} per compute unit.
     */
    int replicasPerRound(QuboOptions o) {
        int byDevice = device.info.type().equals("cpu") ? REPLICAS_PER_CPU_UNIT * device.info.computeUnits()
                : device.info.computeUnits() * device.workGroupSize;
        int perRound = o.replicas() > 0 ? o.replicas() : Math.max(1, byDevice);
        return Math.max(1, Math.min(perRound, 1 << 16));
    }

    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        QuboProblem q = (QuboProblem) job.problem();
        QuboOptions o = options(job);
        boolean fp64 = fp64();
        int sweeps = o.sweeps() > 0 ? o.sweeps() : DEFAULT_SWEEPS; // a time limit alone: fitted below
        int perRound = replicasPerRound(o);
        long totalReads = o.replicas() > 0 ? o.replicas() : o.timeLimitMs() > 0 ? Long.MAX_VALUE : perRound;
        double targetEnergy = !o.hasTarget() ? Double.NEGATIVE_INFINITY
                : q.origin() == QuboProblem.Origin.MAXCUT ? -o.target() : o.target();
        long start = System.nanoTime();
        long stopAt = o.timeLimitMs() > 0 ? start + o.timeLimitMs() * 1_000_000L : Long.MAX_VALUE;
        String options = (fp64 ? "-D KILN_FP64" : "") + (config.buildOptions().isBlank() ? "" : " " + config.buildOptions());
        cl_program program = device.programs.get(SOURCE, options.strip());

        int n = q.n();
        byte[] best = new byte[n];
        double bestEnergy = Double.POSITIVE_INFINITY;
        long reads = 0, sweepsDone = 0, nanosToTarget = -1;
        String stoppedBy = null;
        cl_command_queue queue = device.newQueue();
        cl_kernel startK = null, sweepK = null;
        cl_mem[] mem = new cl_mem[9];
        try {
            startK = CL.clCreateKernel(program, "anneal_start", null);
            sweepK = CL.clCreateKernel(program, "anneal_sweeps", null);
            mem[0] = ClBuffers.readOnly(device.context, q.rowPtr());
            mem[1] = ClBuffers.readOnly(device.context, q.colIdx());
            mem[2] = ClBuffers.readOnly(device.context, q.coupling(), fp64);
            mem[3] = ClBuffers.readOnly(device.context, q.linear(), fp64);
            mem[5] = CL.clCreateBuffer(device.context, CL_MEM_READ_WRITE, (long) perRound * n, null, null);          // x
            mem[6] = ClBuffers.scratch(device.context, perRound * n, fp64);                                              // f
            mem[7] = ClBuffers.scratch(device.context, perRound, fp64);                                                  // energy
            mem[8] = CL.clCreateBuffer(device.context, CL_MEM_READ_WRITE, 2L * perRound * Sizeof.cl_ulong, null, null); // rng
            if (o.sweeps() == 0 && o.timeLimitMs() > 0) {
                sweeps = fittedSweeps(queue, startK, sweepK, q, mem, perRound, o.timeLimitMs());
            }
            float[] betas = AnnealSchedule.defaultFor(q).betasFloat(sweeps);
            mem[4] = CL.clCreateBuffer(device.context, CL.CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                    (long) betas.length * Sizeof.cl_float, Pointer.to(betas), null);
            byte[] x = new byte[perRound * n];
            byte[] xr = new byte[n];
            double[] energies = new double[perRound];
            long[] rng = new long[2 * perRound];
            while (reads < totalReads && stoppedBy == null) {
                int r = (int) Math.min(perRound, totalReads - reads);
                for (int i = 0; i < r; i++) seed(job.options().seed(), reads + i, rng, i);
                CL.clEnqueueWriteBuffer(queue, mem[8], CL_TRUE, 0, 2L * r * Sizeof.cl_ulong, Pointer.to(rng), 0, null, null);
                CgKernels.args(startK, n, r, mem[0], mem[1], mem[2], mem[3], mem[5], mem[6], mem[7], mem[8]);
                launch(queue, startK, r);
                int s = 0;
                while (s < sweeps) {
                    int count = Math.min(SWEEPS_PER_LAUNCH, sweeps - s);
                    boolean last = s + count == sweeps;
                    CgKernels.args(sweepK, n, r, s, count, last ? 1 : 0, mem[0], mem[1], mem[2], mem[4], mem[5], mem[6], mem[7], mem[8]);
                    launch(queue, sweepK, r);
                    s += count;
                    if (last) break;
                    if (o.hasTarget()) {
                        ClBuffers.read(queue, mem[7], energies, fp64);
                        double min = Double.POSITIVE_INFINITY;
                        for (int i = 0; i < r; i++) min = Math.min(min, energies[i]);
                        if (min <= targetEnergy + slack(q, fp64)) { stoppedBy = "target"; }
                    }
                    if (stoppedBy == null && System.nanoTime() >= stopAt) stoppedBy = "time";
                    if (stoppedBy == null && cancellation.cancelled()) stoppedBy = "cancelled";
                    if (stoppedBy == null && cancellation.deadlinePassed()) stoppedBy = "deadline";
                    if (stoppedBy != null) {
                        // polish what the replicas hold: zero sweeps, then the greedy descent
                        CgKernels.args(sweepK, n, r, s, 0, 1, mem[0], mem[1], mem[2], mem[4], mem[5], mem[6], mem[7], mem[8]);
                        launch(queue, sweepK, r);
                        break;
                    }
                }
                CL.clEnqueueReadBuffer(queue, mem[5], CL_TRUE, 0, (long) r * n, Pointer.to(x), 0, null, null);
                for (int i = 0; i < r; i++) {
                    for (int v = 0; v < n; v++) xr[v] = x[v * r + i];
                    double e = q.energy(xr);
                    if (e < bestEnergy) { // ties keep the lower read index
                        bestEnergy = e;
                        System.arraycopy(xr, 0, best, 0, n);
                    }
                }
                reads += r;
                sweepsDone += (long) r * s;
                if (bestEnergy <= targetEnergy) {
                    if (nanosToTarget < 0) nanosToTarget = System.nanoTime() - start;
                    stoppedBy = "target";
                } else if ("target".equals(stoppedBy)) {
                    stoppedBy = null; // the device's fp32 energy was optimistic; the exact one is above the target
                }
                if (stoppedBy == null && System.nanoTime() >= stopAt) stoppedBy = "time";
                if (stoppedBy == null && cancellation.cancelled()) stoppedBy = "cancelled";
                if (stoppedBy == null && cancellation.deadlinePassed()) stoppedBy = "deadline";
                progress.report((int) Math.min(Integer.MAX_VALUE, reads), bestEnergy);
            }
        } finally {
            for (cl_mem m : mem) ClBuffers.release(m);
            if (startK != null) CL.clReleaseKernel(startK);
            if (sweepK != null) CL.clReleaseKernel(sweepK);
            CL.clReleaseCommandQueue(queue);
        }
        long nanos = System.nanoTime() - start;
        String why = stoppedBy == null ? "reads" : stoppedBy;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("energy", bestEnergy);
        if (q.origin() == QuboProblem.Origin.MAXCUT) answer.put("cut", q.objective(bestEnergy));
        answer.put("assignment", best);
        answer.put("reads", reads);
        answer.put("sweeps", sweepsDone);
        answer.put("solveMs", nanos / 1e6);
        answer.put("stoppedBy", why);
        if (o.hasTarget()) {
            answer.put("target", o.target());
            answer.put("targetReached", nanosToTarget >= 0);
            if (nanosToTarget >= 0) answer.put("timeToTargetMs", nanosToTarget / 1e6);
            double found = q.objective(bestEnergy);
            if (o.target() != 0) answer.put("gapPct", 100 * Math.abs(found - o.target()) / Math.abs(o.target()));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("sweeps", sweeps);
        params.put("replicas", perRound);
        params.put("device", device.info.name());
        params.put("precision", fp64 ? "fp64" : "fp32");
        JobError error = switch (why) {
            case "cancelled" -> new JobError(ErrorCode.CANCELLED, "cancelled after " + reads + " reads; answer holds the best found");
            case "deadline" -> new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed after " + reads + " reads; answer holds the best found");
            default -> null;
        };
        return new SolveOutcome("simulated-annealing", params, (int) Math.min(Integer.MAX_VALUE, sweepsDone), Double.NaN,
                error == null, null, error, Double.NaN, Double.NaN, answer);
    }

    /**
     * Rounding the device's running energy may have picked up: a flip adds one ΔE rounded to the
     * kernel's precision, so after many flips the sum is off by up to (flips)·u·max|ΔE|; the
     * target check on it is only a hint, confirmed exactly on the host.
     */
    private static double slack(QuboProblem q, boolean fp64) {
        return (fp64 ? 0x1p-40 : 0x1p-12) * q.maxAbsField() * q.n();
    }

    /**
     * Sweeps per read when only a time limit is given, as the CPU backend's
     * {@code CpuQuboSolver.sweepsFitting}: neal's 1000, or fewer so that a round of replicas
     * completes at least two full anneals in the budget (a read cut off by the clock ends hot),
     * but not below {@link #MIN_SWEEPS}. The sweep cost is timed on a 16-sweep anneal of one
     * round on the device (the states it leaves are overwritten by the first real round).
     */
    private int fittedSweeps(cl_command_queue queue, cl_kernel startK, cl_kernel sweepK, QuboProblem q, cl_mem[] mem,
                             int replicas, long timeLimitMs) {
        int calibration = 16;
        float[] betas = AnnealSchedule.defaultFor(q).betasFloat(calibration);
        cl_mem b = CL.clCreateBuffer(device.context, CL.CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                (long) calibration * Sizeof.cl_float, Pointer.to(betas), null);
        try {
            long[] rng = new long[2 * replicas];
            for (int i = 0; i < replicas; i++) seed(0x5EED, i, rng, i);
            CL.clEnqueueWriteBuffer(queue, mem[8], CL_TRUE, 0, 2L * replicas * Sizeof.cl_ulong, Pointer.to(rng), 0, null, null);
            CgKernels.args(startK, q.n(), replicas, mem[0], mem[1], mem[2], mem[3], mem[5], mem[6], mem[7], mem[8]);
            launch(queue, startK, replicas);
            CL.clFinish(queue); // the build and first launch are not part of a sweep's cost
            long t0 = System.nanoTime();
            CgKernels.args(sweepK, q.n(), replicas, 0, calibration, 0, mem[0], mem[1], mem[2], b, mem[5], mem[6], mem[7], mem[8]);
            launch(queue, sweepK, replicas);
            CL.clFinish(queue);
            double perSweep = Math.max(1, System.nanoTime() - t0) / (double) calibration;
            long fit = (long) (timeLimitMs * 1e6 / 2 / perSweep);
            return (int) Math.max(MIN_SWEEPS, Math.min(DEFAULT_SWEEPS, fit));
        } finally {
            ClBuffers.release(b);
        }
    }

    /** Fewest sweeps a time-limited read gets: the CPU backend's {@code MIN_SWEEPS} (a quarter of neal's default, measured there on G1 and G14). */
    static final int MIN_SWEEPS = 250;

    /** Work-items per work-group of a launch over {@code replicas} work-items. */
    private long groupSize(int replicas) {
        return Math.min(device.workGroupSize, Integer.highestOneBit(replicas));
    }

    private void launch(cl_command_queue queue, cl_kernel kernel, int replicas) {
        long wg = groupSize(replicas);
        long global = (replicas + wg - 1) / wg * wg;
        CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {global}, new long[] {wg}, 0, null, null);
    }

    /** Read {@code read}'s xorshift128+ state, seeded as the CPU backend seeds it. */
    static void seed(long jobSeed, long read, long[] into, int slot) {
        long readSeed = splitmix(jobSeed * 0x9E3779B97F4A7C15L + read);
        long z = readSeed;
        long s0 = splitmix(z += 0x9E3779B97F4A7C15L);
        long s1 = splitmix(z + 0x9E3779B97F4A7C15L);
        if ((s0 | s1) == 0) s1 = 1;
        into[2 * slot] = s0;
        into[2 * slot + 1] = s1;
    }

    /** splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). */
    static long splitmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
