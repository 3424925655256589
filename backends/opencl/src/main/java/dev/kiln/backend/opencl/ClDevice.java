package dev.kiln.backend.opencl;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;

/**
 * The device Kiln computes on: its context, its built programs and its resident matrices.
 * Each solve gets its own command queue and kernel objects (OpenCL kernels are not safe to
 * set arguments on from two threads), so concurrent jobs share only the thread-safe parts.
 */
final class ClDevice implements AutoCloseable {
    final DeviceInfo info;
    final cl_context context;
    final ProgramCache programs;
    final DeviceMatrixCache matrices;
    /** CG work vectors kept between solves. */
    final WorkVectorPool workVectors;
    /** Device memory Kiln may hold: cached matrices plus one job's work vectors. */
    final long memoryBudgetBytes;
    /** Work-group size of every kernel: a power of two within the device's limit. */
    final int workGroupSize;
    private boolean closed;

    private ClDevice(DeviceInfo info, cl_context context, long budget, int workGroupSize) {
        this.info = info;
        this.context = context;
        this.programs = new ProgramCache(context, info.device());
        this.memoryBudgetBytes = budget;
        this.matrices = new DeviceMatrixCache(context, budget);
        this.workVectors = new WorkVectorPool(context);
        this.workGroupSize = workGroupSize;
    }

    static ClDevice open(DeviceInfo info, OpenClConfig config) {
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, info.platform());
        cl_context ctx = CL.clCreateContext(props, 1, new cl_device_id[] {info.device()}, null, null, null);
        // Half the global memory by default: the rest stays for other processes and the driver.
        long budget = config.memoryBudgetBytes() > 0 ? config.memoryBudgetBytes() : info.globalMemBytes() / 2;
        int wanted = config.workGroupSize() > 0 ? config.workGroupSize() : OpenClConfig.DEFAULT_WORK_GROUP_SIZE;
        int wg = Math.max(1, Integer.highestOneBit((int) Math.min(wanted, Math.max(1, info.maxWorkGroup()))));
        return new ClDevice(info, ctx, budget, wg);
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue: the 1.2 call, so 1.2-only devices work too
    cl_command_queue newQueue() {
        return CL.clCreateCommandQueue(context, info.device(), 0, null);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        workVectors.close();
        matrices.close();
        programs.close();
        CL.clReleaseContext(context);
    }
}
