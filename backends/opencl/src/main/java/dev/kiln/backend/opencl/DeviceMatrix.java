package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * A matrix resident on the device in one of three layouts ({@link Layout}). The reordered
 * layouts hold P·A·Pᵀ for a row order P ({@code order[i]} = the original row at device position
 * i; null for plain CSR): the solve keeps every vector in that order on the device and maps
 * only at the boundary (right-hand side in, solution out). {@code invDiag} is D⁻¹ in device
 * order: for CSR and SELL only when the diagonal is positive (Jacobi; null otherwise), for the
 * coloured layout always (the caller has checked that the diagonal has no zero). Owned by
 * {@link DeviceMatrixCache}, which frees it once it is evicted and no solve still uses it.
 */
final class DeviceMatrix {

    /** How the matrix sits on the device. */
    enum Layout {
        /** CSR in the original order, for the CSR-vector kernels. */
        CSR,
        /** SELL-C-σ ({@link SellLayout}), symmetrically permuted into the σ-sorted order, for {@code cg_sell_spmv}. */
        SELL,
        /** CSR symmetrically permuted so each colour of {@link GreedyColouring} is a contiguous block of rows (multicolour SOR). */
        COLOURED
    }

    final Layout layout;
    final int n;
    final int nnz;
    final boolean fp64;
    /** CSR, COLOURED: row pointers; SELL: chunk pointers. */
    final cl_mem rowPtr;
    /** SELL: chunk widths; null otherwise. */
    final cl_mem chunkLen;
    /** Column indices (device order for SELL and COLOURED; 0 in SELL padding). */
    final cl_mem colIdx;
    final cl_mem values;
    final cl_mem invDiag;
    /** Host: the original row at each device position; null for CSR. */
    final int[] order;
    /** COLOURED: colour c owns device rows [colourStart[c], colourStart[c+1]); null otherwise. */
    final int[] colourStart;
    final long bytes;
    private int users;
    private boolean evicted;

    private DeviceMatrix(Layout layout, int n, int nnz, boolean fp64, cl_mem rowPtr, cl_mem chunkLen, cl_mem colIdx,
                         cl_mem values, cl_mem invDiag, int[] order, int[] colourStart, long bytes) {
        this.layout = layout;
        this.n = n;
        this.nnz = nnz;
        this.fp64 = fp64;
        this.rowPtr = rowPtr;
        this.chunkLen = chunkLen;
        this.colIdx = colIdx;
        this.values = values;
        this.invDiag = invDiag;
        this.order = order;
        this.colourStart = colourStart;
        this.bytes = bytes;
    }

    /**
     * The layout CG uses for {@code a}: SELL-C-σ when its padding is small ({@link SellLayout#suits}),
     * else CSR, on every device. On PoCL the per-iteration A/B is size-dependent and noisy (2 cores,
     * load 15-19): Poisson 256² favoured CSR (csr/sell 0.79-0.87, 6 pairs), 512² was mixed (0.48-1.39),
     * 1024² favoured SELL (0.97-2.05, 5 of 6 pairs); measured here with
     * {@link OpenClMeasurement#cgIterationSeconds} (ARCHITECTURE.md, OpenCL section). Large,
     * memory-bound matrices are where the format matters, so the rule stays format-only.
     */
    static Layout cgLayout(CsrMatrix a) {
        return SellLayout.suits(a) ? Layout.SELL : Layout.CSR;
    }

    /** Bytes an upload of {@code a} in {@code layout} moves: indices, values (SELL padding included) and D⁻¹. */
    static long uploadBytes(CsrMatrix a, boolean fp64, Layout layout) {
        long real = ClBuffers.realSize(fp64);
        long diag = a.rows() * real;
        if (layout == Layout.SELL) {
            long stored = SellLayout.storedEntries(a);
            long chunks = (a.rows() + SellLayout.CHUNK - 1) / SellLayout.CHUNK;
            return (2 * chunks + 1) * Sizeof.cl_int + stored * (Sizeof.cl_int + real) + diag;
        }
        return (a.rows() + 1L) * Sizeof.cl_int + (long) a.nnz() * (Sizeof.cl_int + real) + diag;
    }

    static DeviceMatrix upload(cl_context ctx, CsrMatrix a, boolean fp64, Layout layout) {
        return switch (layout) {
            case CSR -> uploadCsr(ctx, Layout.CSR, a, a.rowPtr(), a.colIdx(), a.values(), null, null, fp64,
                    positiveInverse(a.diagonal()));
            case COLOURED -> {
                GreedyColouring colouring = GreedyColouring.of(a);
                GreedyColouring.PermutedCsr p = colouring.permute(a);
                double[] inv = a.diagonal();
                for (int i = 0; i < inv.length; i++) inv[i] = 1.0 / inv[i];
                yield uploadCsr(ctx, Layout.COLOURED, a, p.rowPtr(), p.colIdx(), p.values(), colouring.order(),
                        colouring.colourStart(), fp64, gather(inv, colouring.order()));
            }
            case SELL -> uploadSell(ctx, a, fp64);
        };
    }

    private static DeviceMatrix uploadCsr(cl_context ctx, Layout layout, CsrMatrix a, int[] rp, int[] ci, double[] v,
                                          int[] order, int[] colourStart, boolean fp64, double[] invDiag) {
        cl_mem rowPtr = null, colIdx = null, values = null, inv = null;
        try {
            rowPtr = ClBuffers.readOnly(ctx, rp);
            colIdx = ClBuffers.readOnly(ctx, ci);
            values = ClBuffers.readOnly(ctx, v, fp64);
            if (invDiag != null) inv = ClBuffers.readOnly(ctx, invDiag, fp64);
            return new DeviceMatrix(layout, a.rows(), a.nnz(), fp64, rowPtr, null, colIdx, values, inv, order, colourStart,
                    uploadBytes(a, fp64, layout));
        } catch (RuntimeException e) {
            ClBuffers.release(rowPtr);
            ClBuffers.release(colIdx);
            ClBuffers.release(values);
            ClBuffers.release(inv);
            throw e;
        }
    }

    private static DeviceMatrix uploadSell(cl_context ctx, CsrMatrix a, boolean fp64) {
        SellLayout l = SellLayout.of(a);
        int n = a.rows();
        int[] order = java.util.Arrays.copyOf(l.perm(), n); // slots < n hold every row; slots ≥ n are padding
        double[] inv = positiveInverse(a.diagonal());
        cl_mem chunkPtr = null, chunkLen = null, cols = null, values = null, invDiag = null;
        try {
            chunkPtr = ClBuffers.readOnly(ctx, l.chunkPtr());
            chunkLen = ClBuffers.readOnly(ctx, l.chunkLen());
            cols = ClBuffers.readOnly(ctx, l.slotColumns());
            values = ClBuffers.readOnly(ctx, l.values(), fp64);
            if (inv != null) invDiag = ClBuffers.readOnly(ctx, gather(inv, order), fp64);
            return new DeviceMatrix(Layout.SELL, n, a.nnz(), fp64, chunkPtr, chunkLen, cols, values, invDiag, order, null,
                    uploadBytes(a, fp64, Layout.SELL));
        } catch (RuntimeException e) {
            for (cl_mem m : new cl_mem[] {chunkPtr, chunkLen, cols, values, invDiag}) ClBuffers.release(m);
            throw e;
        }
    }

    /** 1/d when every diagonal entry is positive (so Jacobi applies), else null. */
    private static double[] positiveInverse(double[] d) {
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] > 0 && Double.isFinite(1.0 / d[i]))) return null;
            d[i] = 1.0 / d[i];
        }
        return d;
    }

    /** v in device order: out[i] = v[order[i]] (v itself when order is null). */
    static double[] gather(double[] v, int[] order) {
        if (order == null) return v;
        double[] out = new double[order.length];
        for (int i = 0; i < order.length; i++) out[i] = v[order[i]];
        return out;
    }

    /** Device-order v back to the original order: out[order[i]] = v[i] (v itself when order is null). */
    static double[] scatter(double[] v, int[] order) {
        if (order == null) return v;
        double[] out = new double[order.length];
        for (int i = 0; i < order.length; i++) out[order[i]] = v[i];
        return out;
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
        for (cl_mem m : new cl_mem[] {rowPtr, chunkLen, colIdx, values, invDiag}) ClBuffers.release(m);
    }
}
