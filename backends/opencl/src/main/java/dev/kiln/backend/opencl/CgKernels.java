package dev.kiln.backend.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The kernels of {@code cg.cl} for one solve, specialised by -D for precision, work-group
 * size, lanes per row and preconditioner, with their launch geometry. Kernel objects are made
 * per solve from the device's cached program, because setting arguments on a shared kernel
 * object is not thread-safe (OpenCL 1.2 §A.2).
 */
final class CgKernels implements AutoCloseable {
    static final String SOURCE = "cg.cl";

    // Layout of the state buffer (int) and scalar buffer (real); must match cg.cl.
    static final int STATE_STATUS = 0;
    static final int STATE_ITERATIONS = 1;
    static final int STATE_LENGTH = 2;
    static final int STATUS_RUNNING = 0;
    static final int STATUS_CONVERGED = 1;
    static final int STATUS_NOT_SPD = 2;
    static final int STATUS_DIVERGED = 3;
    static final int S_RHO = 0;
    static final int S_ALPHA = 1;
    static final int S_BETA = 2;
    static final int S_RR = 3;
    static final int S_TOL2 = 4;
    static final int S_PAP = 5;
    static final int S_LENGTH = 6;

    /**
     * Work-groups per compute unit for the grid-stride kernels: several resident work-groups
     * per compute unit hide memory latency on GPUs (AMD's and NVIDIA's OpenCL optimisation
     * guides both advise more than one), and capping the count keeps the one-work-group
     * reduction of the partial sums short.
     */
    static final int GROUPS_PER_COMPUTE_UNIT = 8;

    /**
     * Work-groups of the row and vector kernels: at most {@link #GROUPS_PER_COMPUTE_UNIT} per
     * compute unit, grid-stride beyond. On PoCL 3.1 (2 cores, load average 8-10, so noisy) an
     * uncapped launch (one work-group per block of rows) made the plain CSR SpMV of poisson2d 1024
     * faster (1.0 -> 6-8 GB/s) but CG on poisson2d 256 no faster (cg: 616/731 ms capped against
     * 2890/972 ms uncapped; pcg+jacobi 1591/932 against 1529/1298), the five launches per
     * iteration paying for the extra work-groups; the cap stays for the CG kernels. The SELL SpMV
     * (sell.cl, no reductions) launches one work-item per slot instead.
     */
    static int maxGroups(DeviceInfo info) {
        return Math.max(1, GROUPS_PER_COMPUTE_UNIT * info.computeUnits());
    }

    final boolean fp64;
    final int workGroupSize;
    final int lanesPerRow;
    /** Layout of the matrix the CG product reads (CSR-vector or SELL-C-σ). */
    final DeviceMatrix.Layout layout;
    final int spmvGroups;
    final int vectorGroups;
    final String options;
    final cl_kernel cgSpmv;
    final cl_kernel cgAlpha;
    final cl_kernel cgUpdateXr;
    final cl_kernel cgBeta;
    final cl_kernel cgUpdateP;
    final cl_kernel spmv;

    private CgKernels(ClDevice device, boolean fp64, int lanes, boolean jacobi, DeviceMatrix.Layout layout, int n,
                      String extraOptions) {
        if (layout == DeviceMatrix.Layout.COLOURED) throw new IllegalArgumentException("CG runs on a CSR or SELL matrix, not " + layout);
        this.fp64 = fp64;
        this.layout = layout;
        this.workGroupSize = device.workGroupSize;
        this.lanesPerRow = Math.min(lanes, workGroupSize);
        int maxGroups = maxGroups(device.info);
        int rowsPerGroup = workGroupSize / lanesPerRow;
        // SELL: one work-item per row (PoCL finding 2), so one partial per work-group of rows.
        this.spmvGroups = layout == DeviceMatrix.Layout.SELL
                ? (int) Math.max(1, ((long) n + workGroupSize - 1) / workGroupSize)
                : (int) Math.min(maxGroups, Math.max(1, ((long) n + rowsPerGroup - 1) / rowsPerGroup));
        this.vectorGroups = (int) Math.min(maxGroups, Math.max(1, ((long) n + workGroupSize - 1) / workGroupSize));
        this.options = options(fp64, workGroupSize, lanesPerRow, jacobi, extraOptions);
        cl_program program = device.programs.get(SOURCE, options);
        cl_kernel[] k = new cl_kernel[6];
        String[] names = {layout == DeviceMatrix.Layout.SELL ? "cg_sell_spmv" : "cg_spmv", "cg_alpha", "cg_update_xr",
                "cg_beta", "cg_update_p", "spmv"};
        try {
            for (int i = 0; i < k.length; i++) k[i] = CL.clCreateKernel(program, names[i], null);
        } catch (RuntimeException e) {
            for (cl_kernel kernel : k) if (kernel != null) CL.clReleaseKernel(kernel);
            throw e;
        }
        cgSpmv = k[0];
        cgAlpha = k[1];
        cgUpdateXr = k[2];
        cgBeta = k[3];
        cgUpdateP = k[4];
        spmv = k[5];
    }

    /**
     * @param lanes        work-items per row (a power of two)
     * @param extraOptions {@code kiln.opencl.build-options}, appended last so they can override
     */
    static CgKernels create(ClDevice device, boolean fp64, int lanes, boolean jacobi, DeviceMatrix.Layout layout, int n,
                            String extraOptions) {
        return new CgKernels(device, fp64, lanes, jacobi, layout, n, extraOptions);
    }

    static String options(boolean fp64, int wg, int lanes, boolean jacobi, String extra) {
        return (fp64 ? "-D KILN_FP64 " : "") + "-D WG=" + wg + " -D VS=" + lanes + " -D JACOBI=" + (jacobi ? 1 : 0)
                + " -D SELL_C=" + SellLayout.CHUNK + (extra.isBlank() ? "" : " " + extra);
    }

    /**
     * Lanes per row when the configuration leaves it open: one on a CPU device, whose
     * compiler vectorises a work-group's loop across rows so that row sharing only adds
     * local-memory reductions; elsewhere the mean row length rounded up to a power of two,
     * at most a warp, as in Bell and Garland's CSR-vector (SC'09 §3.3) and ViennaCL's
     * adaptive choice.
     */
    static int autoLanes(DeviceInfo info, long n, long nnz) {
        if (info.type().equals("cpu")) return 1;
        long mean = Math.max(1, (nnz + n - 1) / Math.max(1, n));
        int lanes = 1;
        while (lanes < mean && lanes < OpenClConfig.MAX_LANES_PER_ROW) lanes <<= 1;
        return lanes;
    }

    /** Binds the buffers of a CG solve once; each iteration then only enqueues. */
    void bindCg(DeviceMatrix a, cl_mem x, cl_mem r, cl_mem z, cl_mem p, cl_mem q, cl_mem partial, cl_mem s, cl_mem state) {
        int n = a.n;
        cl_mem zOrR = z == null ? r : z;
        cl_mem inv = a.invDiag == null ? r : a.invDiag; // unused when JACOBI=0; any buffer binds
        if (a.layout != layout) throw new IllegalArgumentException("kernels for " + layout + ", matrix in " + a.layout);
        if (layout == DeviceMatrix.Layout.SELL) args(cgSpmv, n, a.rowPtr, a.chunkLen, a.colIdx, a.values, p, q, partial, state);
        else args(cgSpmv, n, a.rowPtr, a.colIdx, a.values, p, q, partial, state);
        args(cgAlpha, spmvGroups, partial, s, state);
        args(cgUpdateXr, n, x, r, zOrR, p, q, inv, partial, s, state);
        args(cgBeta, vectorGroups, partial, s, state);
        args(cgUpdateP, n, p, zOrR, s, state);
    }

    /** Enqueues one CG iteration (five kernels); nothing is read back. */
    void enqueueIteration(cl_command_queue queue) {
        launch(queue, cgSpmv, spmvGroups);
        launch(queue, cgAlpha, 1);
        launch(queue, cgUpdateXr, vectorGroups);
        launch(queue, cgBeta, 1);
        launch(queue, cgUpdateP, vectorGroups);
    }

    /** Enqueues y = A x. */
    void enqueueSpmv(cl_command_queue queue, DeviceMatrix a, cl_mem x, cl_mem y) {
        args(spmv, a.n, a.rowPtr, a.colIdx, a.values, x, y);
        launch(queue, spmv, spmvGroups);
    }

    /** Enqueues one named kernel alone (kernel tests). */
    void launch(cl_command_queue queue, cl_kernel kernel, int groups) {
        long[] global = {(long) groups * workGroupSize};
        long[] local = {workGroupSize};
        CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, global, local, 0, null, null);
    }

    static void args(cl_kernel kernel, Object... values) {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof Integer iv) CL.clSetKernelArg(kernel, i, Sizeof.cl_int, Pointer.to(new int[] {iv}));
            else if (v instanceof cl_mem m) CL.clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(m));
            else throw new IllegalArgumentException("kernel argument " + i + " of type " + v.getClass());
        }
    }

    @Override
    public void close() {
        for (cl_kernel k : new cl_kernel[] {cgSpmv, cgAlpha, cgUpdateXr, cgBeta, cgUpdateP, spmv}) CL.clReleaseKernel(k);
    }
}
