package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * A CSR matrix resident on the device, with D⁻¹ for Jacobi when the diagonal is positive
 * ({@code invDiag} is null otherwise). Owned by {@link DeviceMatrixCache}, which frees it once
 * it is evicted and no solve still uses it.
 */
final class DeviceMatrix {
    final int n;
    final int nnz;
    final boolean fp64;
    final cl_mem rowPtr;
    final cl_mem colIdx;
    final cl_mem values;
    final cl_mem invDiag;
    final long bytes;
    private int users;
    private boolean evicted;

    private DeviceMatrix(int n, int nnz, boolean fp64, cl_mem rowPtr, cl_mem colIdx, cl_mem values, cl_mem invDiag, long bytes) {
        this.n = n;
        this.nnz = nnz;
        this.fp64 = fp64;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
        this.invDiag = invDiag;
        this.bytes = bytes;
    }

    /** Bytes an upload of {@code a} moves: row pointers, column indices, values and D⁻¹. */
    static long uploadBytes(CsrMatrix a, boolean fp64) {
        long real = ClBuffers.realSize(fp64);
        return (a.rows() + 1L) * Sizeof.cl_int + (long) a.nnz() * (Sizeof.cl_int + real) + a.rows() * real;
    }

    static DeviceMatrix upload(cl_context ctx, CsrMatrix a, boolean fp64) {
        cl_mem rowPtr = null, colIdx = null, values = null, invDiag = null;
        try {
            rowPtr = ClBuffers.readOnly(ctx, a.rowPtr());
            colIdx = ClBuffers.readOnly(ctx, a.colIdx());
            values = ClBuffers.readOnly(ctx, a.values(), fp64);
            double[] d = a.diagonal();
            boolean positive = true;
            for (int i = 0; i < d.length && positive; i++) {
                positive = d[i] > 0 && Double.isFinite(1.0 / d[i]);
                d[i] = 1.0 / d[i];
            }
            if (positive) invDiag = ClBuffers.readOnly(ctx, d, fp64);
            return new DeviceMatrix(a.rows(), a.nnz(), fp64, rowPtr, colIdx, values, invDiag, uploadBytes(a, fp64));
        } catch (RuntimeException e) {
            ClBuffers.release(rowPtr);
            ClBuffers.release(colIdx);
            ClBuffers.release(values);
            ClBuffers.release(invDiag);
            throw e;
        }
    }

    /** Called under the cache's lock. */
    void acquire() { users++; }

    /** Called under the cache's lock; frees the buffers when evicted and unused. */
    void releaseUser() {
        users--;
        if (evicted && users == 0) free();
    }

    /** Called under the cache's lock. */
    boolean inUse() { return users > 0; }

    /** Called under the cache's lock. */
    void evict() {
        evicted = true;
        if (users == 0) free();
    }

    private void free() {
        ClBuffers.release(rowPtr);
        ClBuffers.release(colIdx);
        ClBuffers.release(values);
        ClBuffers.release(invDiag);
    }
}
