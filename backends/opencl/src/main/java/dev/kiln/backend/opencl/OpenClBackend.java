package dev.kiln.backend.opencl;

import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Precision;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.jocl.CL;
import org.jocl.CLException;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Kiln's OpenCL backend ({@code opencl}): device-resident CG and Jacobi-PCG (CSR-vector or SELL-C-σ),
 * multicolour SOR/SSOR ({@link OpenClStationarySolver}), and QUBO / Max-Cut by
 * many-replica simulated annealing ({@link OpenClQuboSolver}), through JOCL on any OpenCL device, a GPU driver's or PoCL's on a CPU. Settings are in {@link OpenClConfig}.
 *
 * <p>It never takes Kiln down: without JOCL's native library, an ICD loader, a platform or a
 * device, or when its kernels do not build, {@link #probe()} reports it unavailable with the
 * reason. A failure while solving (a build error, out of resources, an allocation failure, a
 * lost device) throws {@link BackendException.Retriable}, so the runtime re-routes the job,
 * and marks the backend degraded: {@link #probe()} then carries the reason.
 *
 * <p>Threads: {@link #solve} may run concurrently; the device's caches are thread-safe and
 * each solve has its own queue, kernels and vectors.
 */
public final class OpenClBackend implements Backend {
    public static final String ID = "opencl";

    private final DeviceDiscovery discovery;
    private OpenClConfig config = OpenClConfig.defaults();
    private String configError;
    private Probe probe;
    private ClDevice device;
    private OpenClLinearSolver linear;
    private OpenClQuboSolver qubo;
    private volatile String degraded;
    private boolean closed;

    public OpenClBackend() {
        this(new JoclDeviceDiscovery());
    }

    OpenClBackend(DeviceDiscovery discovery) {
        this.discovery = discovery;
    }

    @Override
    public String id() { return ID; }

    /**
     * Reads the {@code kiln.opencl.*} settings. A malformed value makes the probe report the
     * backend unavailable, naming the key. Called again after the device is open, the new
     * settings apply to the next job, except the device selection and memory budget, which
     * are fixed once the device is open.
     */
    @Override
    public synchronized void configure(Map<String, ?> settings) {
        try {
            config = OpenClConfig.parse(settings == null ? Map.of() : settings);
            configError = null;
            if (device != null) {
                linear = new OpenClLinearSolver(device, config);
                qubo = new OpenClQuboSolver(device, config);
            }
        } catch (IllegalArgumentException e) {
            configError = e.getMessage();
        }
    }

    @Override
    public synchronized Probe probe() {
        if (probe == null) probe = open();
        String d = degraded;
        if (probe.available() && d != null) return new Probe(true, probe.device(), "degraded: " + d);
        return probe;
    }

    /** Discovers, selects and opens the device, and builds the kernels once so a broken build shows here. */
    private Probe open() {
        if (configError != null) return Probe.unavailable("configuration: " + configError);
        if (closed) return Probe.unavailable("closed");
        List<DeviceInfo> devices;
        try {
            devices = discovery.discover();
        } catch (LinkageError e) {
            return Probe.unavailable("OpenCL is not installed: JOCL could not load its native library or libOpenCL.so ("
                    + e + "); install an ICD loader and a driver (Debian: ocl-icd-opencl-dev and pocl-opencl-icd, or a GPU's)");
        } catch (CLException e) {
            if (e.getStatus() == CL.CL_PLATFORM_NOT_FOUND_KHR) {
                return Probe.unavailable("no OpenCL platform: the ICD loader found no driver (install one, e.g. Debian's "
                        + "pocl-opencl-icd or a GPU vendor's ICD)");
            }
            return Probe.unavailable("OpenCL discovery failed: " + e.getMessage());
        } catch (RuntimeException e) {
            return Probe.unavailable("OpenCL discovery failed: " + e);
        }
        DeviceInfo chosen;
        try {
            chosen = DeviceSelector.select(devices, config.device());
        } catch (IllegalArgumentException e) {
            return Probe.unavailable(e.getMessage());
        }
        if (chosen.device() == null) {
            return Probe.unavailable("device " + chosen.name() + " has no OpenCL handle (made up by a test)");
        }
        ClDevice opened = null;
        try {
            opened = ClDevice.open(chosen, config);
            boolean fp64 = chosen.fp64() && !config.forceFp32();
            int lanes = config.lanesPerRow() > 0 ? config.lanesPerRow() : CgKernels.autoLanes(chosen, 1, 1);
            CgKernels.create(opened, fp64, lanes, true, DeviceMatrix.Layout.CSR, 1, config.buildOptions()).close();
            device = opened;
            linear = new OpenClLinearSolver(opened, config);
            qubo = new OpenClQuboSolver(opened, config);
            return Probe.available(chosen.describe() + ", kernels " + (fp64 ? "fp64" : "fp32")
                    + ", work-group " + opened.workGroupSize);
        } catch (KernelBuildException e) {
            if (opened != null) opened.close();
            return Probe.unavailable("on " + chosen.name() + ": " + e.getMessage());
        } catch (CLException | LinkageError e) {
            if (opened != null) opened.close();
            return Probe.unavailable("opening " + chosen.name() + " failed: " + e);
        }
    }

    @Override
    public int defaultConcurrency() { return 1; }

    @Override
    public Support supports(Job job) {
        OpenClLinearSolver l = solver();
        if (l == null) return Support.no(ErrorCode.NO_BACKEND, "the opencl backend is unavailable: " + probe().reason());
        return switch (job.kind()) {
            case LINEAR -> l.supports(job);
            case QUBO -> quboSolver().supports(job);
            case TRAIN -> Support.no(ErrorCode.UNSUPPORTED, "the opencl backend does not run train jobs");
        };
    }

    @Override
    public Features features(Job job) {
        OpenClLinearSolver l = solver();
        if (l != null && job.kind() == dev.kiln.spi.JobKind.QUBO) return quboSolver().features(job);
        if (l == null || job.kind() != dev.kiln.spi.JobKind.LINEAR) {
            throw new IllegalStateException("features() of a job the opencl backend does not support");
        }
        Features f = l.features(job);
        return new Features(f.n(), f.nnz(), f.estimatedIterations(), f.bytesToMove(),
                f.precision() == null ? Precision.FP64 : f.precision());
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws BackendException {
        OpenClLinearSolver l = solver();
        if (l == null) throw new BackendException.Retriable("the opencl backend is unavailable: " + probe().reason(), null);
        if (job.kind() == dev.kiln.spi.JobKind.TRAIN) throw new IllegalStateException("solve() of an unsupported " + job.kind() + " job");
        try {
            if (job.kind() == dev.kiln.spi.JobKind.QUBO) return quboSolver().solve(job, progress, cancellation);
            return l.solve(job, progress, cancellation);
        } catch (KernelBuildException e) {
            throw degrade(e.getMessage(), e);
        } catch (CLException e) {
            throw degrade("OpenCL error " + CL.stringFor_errorCode(e.getStatus()) + " on " + device.info.name()
                    + " (out of resources, allocation failure or lost device): " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw degrade("the OpenCL library failed: " + e, e);
        }
    }

    /** Records why the backend is degraded (shown by {@link #probe()}) and makes the exception that re-routes the job. */
    private BackendException.Retriable degrade(String reason, Throwable cause) {
        degraded = reason + " [" + Instant.now() + "]";
        return new BackendException.Retriable(reason, cause);
    }

    private synchronized OpenClLinearSolver solver() {
        if (probe == null) probe = open();
        return linear;
    }

    private synchronized OpenClQuboSolver quboSolver() {
        return qubo;
    }

    /** The opened device, or null (tests). */
    synchronized ClDevice device() {
        return device;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (device != null) device.close();
        device = null;
        linear = null;
        qubo = null;
    }
}
