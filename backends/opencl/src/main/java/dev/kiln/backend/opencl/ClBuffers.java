package dev.kiln.backend.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_TRUE;

/**
 * Device buffers of Kiln's element types: int indices and "real" values stored as double
 * (fp64 kernels) or float (fp32 kernels); host data is always double and converted on the
 * way in and out. OpenCL refuses zero-sized buffers, so an empty array gets one element.
 */
final class ClBuffers {
    private ClBuffers() { }

    static int realSize(boolean fp64) { return fp64 ? Sizeof.cl_double : Sizeof.cl_float; }

    static cl_mem readOnly(cl_context ctx, int[] data) {
        int[] src = data.length == 0 ? new int[1] : data;
        return CL.clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) src.length * Sizeof.cl_int,
                Pointer.to(src), null);
    }

    static cl_mem readOnly(cl_context ctx, double[] data, boolean fp64) {
        return create(ctx, CL_MEM_READ_ONLY, data, fp64);
    }

    static cl_mem readWrite(cl_context ctx, double[] data, boolean fp64) {
        return create(ctx, CL_MEM_READ_WRITE, data, fp64);
    }

    static cl_mem readWrite(cl_context ctx, int[] data) {
        int[] src = data.length == 0 ? new int[1] : data;
        return CL.clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) src.length * Sizeof.cl_int,
                Pointer.to(src), null);
    }

    /** An uninitialised buffer of {@code count} reals. */
    static cl_mem scratch(cl_context ctx, int count, boolean fp64) {
        return CL.clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Math.max(1, count) * realSize(fp64), null, null);
    }

    /** An uninitialised buffer of {@code count} ints. */
    static cl_mem scratchInts(cl_context ctx, int count) {
        return CL.clCreateBuffer(ctx, CL_MEM_READ_WRITE, (long) Math.max(1, count) * Sizeof.cl_int, null, null);
    }

    private static cl_mem create(cl_context ctx, long flags, double[] data, boolean fp64) {
        double[] src = data.length == 0 ? new double[1] : data;
        Pointer host = fp64 ? Pointer.to(src) : Pointer.to(toFloat(src));
        return CL.clCreateBuffer(ctx, flags | CL_MEM_COPY_HOST_PTR, (long) src.length * realSize(fp64), host, null);
    }

    static void write(cl_command_queue q, cl_mem mem, double[] data, boolean fp64) {
        Pointer host = fp64 ? Pointer.to(data) : Pointer.to(toFloat(data));
        CL.clEnqueueWriteBuffer(q, mem, CL_TRUE, 0, (long) data.length * realSize(fp64), host, 0, null, null);
    }

    static void write(cl_command_queue q, cl_mem mem, int[] data) {
        CL.clEnqueueWriteBuffer(q, mem, CL_TRUE, 0, (long) data.length * Sizeof.cl_int, Pointer.to(data), 0, null, null);
    }

    static void read(cl_command_queue q, cl_mem mem, double[] into, boolean fp64) {
        if (fp64) {
            CL.clEnqueueReadBuffer(q, mem, CL_TRUE, 0, (long) into.length * Sizeof.cl_double, Pointer.to(into), 0, null, null);
        } else {
            float[] f = new float[into.length];
            CL.clEnqueueReadBuffer(q, mem, CL_TRUE, 0, (long) f.length * Sizeof.cl_float, Pointer.to(f), 0, null, null);
            for (int i = 0; i < f.length; i++) into[i] = f[i];
        }
    }

    static void read(cl_command_queue q, cl_mem mem, int[] into) {
        CL.clEnqueueReadBuffer(q, mem, CL_TRUE, 0, (long) into.length * Sizeof.cl_int, Pointer.to(into), 0, null, null);
    }

    static void release(cl_mem mem) {
        if (mem != null) CL.clReleaseMemObject(mem);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
