package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * y = A x on the device with the matrix resident, in the format the cheap rule picks per matrix
 * ({@link SellLayout#suits}: SELL-C-σ when its padding is small, else CSR-vector from
 * {@code cg.cl}). Owns its matrix buffers and kernel object; one instance per thread.
 */
final class DeviceSpmv implements AutoCloseable {
    static final String SELL_SOURCE = "sell.cl";

    /** Storage format on the device. */
    enum Format { CSR, SELL }

    final Format format;
    final boolean fp64;
    final int n;
    /** Bytes uploaded for the matrix (padding included for SELL). */
    final long matrixBytes;
    private final ClDevice device;
    private final int groups;
    private final int slots;
    private final cl_kernel kernel;
    private final CgKernels csrKernels;  // CSR only
    private final DeviceMatrix csr;      // CSR only
    private final cl_mem[] sell;         // SELL only: chunkPtr, chunkLen, cols, values, perm
    private boolean closed;

    private DeviceSpmv(ClDevice device, Format format, boolean fp64, int n, long matrixBytes, int groups, int slots,
                       cl_kernel kernel, CgKernels csrKernels, DeviceMatrix csr, cl_mem[] sell) {
        this.device = device;
        this.format = format;
        this.fp64 = fp64;
        this.n = n;
        this.matrixBytes = matrixBytes;
        this.groups = groups;
        this.slots = slots;
        this.kernel = kernel;
        this.csrKernels = csrKernels;
        this.csr = csr;
        this.sell = sell;
    }

    /** The format the rule picks for {@code a}. */
    static Format choose(CsrMatrix a) {
        return SellLayout.suits(a) ? Format.SELL : Format.CSR;
    }

    /**
     * Uploads {@code a} in {@code format} ({@code null}: {@link #choose}) and builds its kernel.
     *
     * @param lanes CSR-vector lanes per row (ignored for SELL)
     */
    static DeviceSpmv create(ClDevice device, CsrMatrix a, boolean fp64, Format format, int lanes, String extraOptions) {
        Format f = format == null ? choose(a) : format;
        if (f == Format.CSR) {
            CgKernels k = CgKernels.create(device, fp64, lanes, false, DeviceMatrix.Layout.CSR, a.rows(), extraOptions);
            DeviceMatrix m;
            try {
                m = DeviceMatrix.upload(device.context, a, fp64, DeviceMatrix.Layout.CSR);
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
            return new DeviceSpmv(device, f, fp64, a.rows(), m.bytes, k.spmvGroups, 0, k.spmv, k, m, null);
        }
        SellLayout l = SellLayout.of(a);
        String options = (fp64 ? "-D KILN_FP64 " : "") + "-D SELL_C=" + l.c() + (extraOptions.isBlank() ? "" : " " + extraOptions);
        cl_program program = device.programs.get(SELL_SOURCE, options);
        cl_mem[] buf = new cl_mem[5];
        cl_kernel kernel = null;
        try {
            buf[0] = ClBuffers.readOnly(device.context, l.chunkPtr());
            buf[1] = ClBuffers.readOnly(device.context, l.chunkLen());
            buf[2] = ClBuffers.readOnly(device.context, l.cols());
            buf[3] = ClBuffers.readOnly(device.context, l.values(), fp64);
            buf[4] = ClBuffers.readOnly(device.context, l.perm());
            kernel = CL.clCreateKernel(program, "sell_spmv", null);
        } catch (RuntimeException e) {
            for (cl_mem m : buf) ClBuffers.release(m);
            throw e;
        }
        long bytes = ((long) l.chunkPtr().length + l.chunkLen().length + l.cols().length + l.perm().length) * Integer.BYTES
                + (long) l.values().length * ClBuffers.realSize(fp64);
        int wg = device.workGroupSize;
        int groups = (int) Math.max(1, ((long) l.slots() + wg - 1) / wg); // one work-item per slot
        return new DeviceSpmv(device, f, fp64, a.rows(), bytes, groups, l.slots(), kernel, null, null, buf);
    }

    /** Enqueues y = A x (x and y hold n reals of this instance's precision). */
    void enqueue(cl_command_queue queue, cl_mem x, cl_mem y) {
        if (format == Format.CSR) {
            csrKernels.enqueueSpmv(queue, csr, x, y);
            return;
        }
        CgKernels.args(kernel, slots, sell[0], sell[1], sell[2], sell[3], sell[4], x, y);
        long wg = device.workGroupSize;
        CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {groups * wg}, new long[] {wg}, 0, null, null);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (format == Format.CSR) {
            csrKernels.close();
            csr.evict();
        } else {
            CL.clReleaseKernel(kernel);
            for (cl_mem m : sell) ClBuffers.release(m);
        }
    }
}
