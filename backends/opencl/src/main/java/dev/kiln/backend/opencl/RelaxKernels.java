package dev.kiln.backend.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The kernels of {@code relax.cl} for one multicolour SOR/SSOR solve, bound to a matrix in the
 * {@link DeviceMatrix.Layout#COLOURED} layout, its right-hand side, iterate and partial sums.
 * Kernel objects per solve, as {@link CgKernels} (setting arguments is not thread-safe).
 */
final class RelaxKernels implements AutoCloseable {
    static final String SOURCE = "relax.cl";

    final boolean fp64;
    final int workGroupSize;
    /** Work-groups of the residual kernel, hence partial sums to read. */
    final int residualGroups;
    private final cl_kernel sweep;
    private final cl_kernel residual;
    private DeviceMatrix matrix;

    private RelaxKernels(ClDevice device, boolean fp64, int n, String extraOptions) {
        this.fp64 = fp64;
        this.workGroupSize = device.workGroupSize;
        this.residualGroups = (int) Math.min(CgKernels.maxGroups(device.info), Math.max(1, ((long) n + workGroupSize - 1) / workGroupSize));
        String options = (fp64 ? "-D KILN_FP64 " : "") + "-D WG=" + workGroupSize + (extraOptions.isBlank() ? "" : " " + extraOptions);
        cl_program program = device.programs.get(SOURCE, options);
        cl_kernel s = CL.clCreateKernel(program, "relax_sweep", null);
        try {
            residual = CL.clCreateKernel(program, "relax_residual", null);
        } catch (RuntimeException e) {
            CL.clReleaseKernel(s);
            throw e;
        }
        sweep = s;
    }

    static RelaxKernels create(ClDevice device, boolean fp64, int n, String extraOptions) {
        return new RelaxKernels(device, fp64, n, extraOptions);
    }

    /** Binds matrix, right-hand side b, iterate x, the partial sums and ω once; sweeps then only set their row range. */
    void bind(DeviceMatrix a, cl_mem b, cl_mem x, cl_mem partial, double omega) {
        if (a.layout != DeviceMatrix.Layout.COLOURED) throw new IllegalArgumentException("SOR needs the coloured layout, not " + a.layout);
        this.matrix = a;
        CgKernels.args(sweep, 0, 0, a.rowPtr, a.colIdx, a.values, a.invDiag, b, x);
        if (fp64) CL.clSetKernelArg(sweep, 8, Sizeof.cl_double, Pointer.to(new double[] {omega}));
        else CL.clSetKernelArg(sweep, 8, Sizeof.cl_float, Pointer.to(new float[] {(float) omega}));
        CgKernels.args(residual, a.n, a.rowPtr, a.colIdx, a.values, b, x, partial);
    }

    /** Enqueues one SOR sweep (colours forward) or one SSOR iteration (forward, then backward): one launch per colour. */
    void enqueueIteration(cl_command_queue queue, boolean symmetric) {
        int[] start = matrix.colourStart;
        int colours = start.length - 1;
        for (int c = 0; c < colours; c++) enqueueColour(queue, start[c], start[c + 1]);
        if (symmetric) for (int c = colours - 1; c >= 0; c--) enqueueColour(queue, start[c], start[c + 1]);
    }

    private void enqueueColour(cl_command_queue queue, int first, int end) {
        int count = end - first;
        if (count == 0) return;
        CL.clSetKernelArg(sweep, 0, Sizeof.cl_int, Pointer.to(new int[] {first}));
        CL.clSetKernelArg(sweep, 1, Sizeof.cl_int, Pointer.to(new int[] {count}));
        long wg = workGroupSize;
        long global = (count + wg - 1) / wg * wg; // one work-item per row of the colour
        CL.clEnqueueNDRangeKernel(queue, sweep, 1, null, new long[] {global}, new long[] {wg}, 0, null, null);
    }

    /** Enqueues partial[g] = Σ (b − A·x)ᵢ² over work-group g's rows. */
    void enqueueResidual(cl_command_queue queue) {
        long wg = workGroupSize;
        CL.clEnqueueNDRangeKernel(queue, residual, 1, null, new long[] {residualGroups * wg}, new long[] {wg}, 0, null, null);
    }

    @Override
    public void close() {
        CL.clReleaseKernel(sweep);
        CL.clReleaseKernel(residual);
    }
}
