package dev.kiln.backend.opencl;

import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * The work vectors of device CG solves, kept per device between solves instead of allocated
 * and freed per solve: a family of jobs on one matrix asks for the same shape again and again.
 * At most one idle set is kept, of the most recently returned shape, so idle memory is bounded
 * by one job's vectors (what the memory budget already reserves beside the cached matrices);
 * a set of another shape, or a second set of the same shape returned by a concurrent solve, is
 * freed. Thread-safe.
 */
final class WorkVectorPool implements AutoCloseable {
    private final cl_context context;
    private Set idle;
    private long created;
    private long reused;
    private boolean closed;

    WorkVectorPool(cl_context context) {
        this.context = context;
    }

    /** What a solve's vectors look like; two solves of equal shape can share a set. */
    record Shape(int n, boolean fp64, boolean jacobi, int partials) { }

    /** x, r, z (null without Jacobi), p, q, the work-group partials, the scalars and the int state. */
    static final class Set {
        final Shape shape;
        final cl_mem x, r, z, p, q, partial, s, state;

        private Set(Shape shape, cl_context ctx) {
            this.shape = shape;
            cl_mem[] m = new cl_mem[8];
            try {
                m[0] = ClBuffers.scratch(ctx, shape.n(), shape.fp64());
                m[1] = ClBuffers.scratch(ctx, shape.n(), shape.fp64());
                m[2] = shape.jacobi() ? ClBuffers.scratch(ctx, shape.n(), shape.fp64()) : null;
                m[3] = ClBuffers.scratch(ctx, shape.n(), shape.fp64());
                m[4] = ClBuffers.scratch(ctx, shape.n(), shape.fp64());
                m[5] = ClBuffers.scratch(ctx, shape.partials(), shape.fp64());
                m[6] = ClBuffers.scratch(ctx, CgKernels.S_LENGTH, shape.fp64());
                m[7] = ClBuffers.scratchInts(ctx, CgKernels.STATE_LENGTH);
            } catch (RuntimeException e) {
                for (cl_mem b : m) ClBuffers.release(b);
                throw e;
            }
            x = m[0]; r = m[1]; z = m[2]; p = m[3]; q = m[4]; partial = m[5]; s = m[6]; state = m[7];
        }

        void free() {
            for (cl_mem b : new cl_mem[] {x, r, z, p, q, partial, s, state}) ClBuffers.release(b);
        }

        /** Device bytes of the set. */
        long bytes() {
            return ((shape.jacobi() ? 5L : 4L) * Math.max(1, shape.n()) + Math.max(1, shape.partials()) + CgKernels.S_LENGTH)
                    * ClBuffers.realSize(shape.fp64()) + (long) CgKernels.STATE_LENGTH * Sizeof.cl_int;
        }
    }

    /** A set of {@code shape}: the idle one when it matches, else a new one (the idle one of another shape is freed). */
    Set take(Shape shape) {
        Set stale = null;
        synchronized (this) {
            if (idle != null && idle.shape.equals(shape)) {
                Set s = idle;
                idle = null;
                reused++;
                return s;
            }
            stale = idle;
            idle = null;
            created++;
        }
        if (stale != null) stale.free();
        return new Set(shape, context);
    }

    /**
     * Returns a set after a solve that ended normally (its contents are overwritten by the next
     * solve). After an OpenCL error, call {@link Set#free()} instead: the buffers may be gone with the device.
     */
    void give(Set set) {
        Set drop;
        synchronized (this) {
            if (closed) {
                drop = set;
            } else {
                drop = idle;
                idle = set;
            }
        }
        if (drop != null) drop.free();
    }

    synchronized long created() { return created; }

    synchronized long reused() { return reused; }

    @Override
    public void close() {
        Set s;
        synchronized (this) {
            closed = true;
            s = idle;
            idle = null;
        }
        if (s != null) s.free();
    }
}
