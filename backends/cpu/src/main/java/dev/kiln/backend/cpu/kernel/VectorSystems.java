package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.matrix.CsrMatrix;

/** Builds the Vector API operator and kernels; only loaded when the module is present. */
final class VectorSystems {
    private VectorSystems() {}

    static PreparedSystem prepare(CsrMatrix a, SpmvFormat format, int parts, int sigmaChunks) {
        return prepare(a, null, format, parts, sigmaChunks);
    }

    /** {@code key}: A's SELL cache key when the caller has one (null: A's fingerprint). */
    static PreparedSystem prepare(CsrMatrix a, String key, SpmvFormat format, int parts, int sigmaChunks) {
        WorkerPool pool = WorkerPool.shared();
        int c = VectorWidth.doubleLanes();
        if (format != SpmvFormat.CSR) {
            SellMatrix sell = key == null ? SellCache.shared().get(a, c, c * sigmaChunks)
                    : SellCache.shared().get(a, key, c, c * sigmaChunks);
            if (format == SpmvFormat.SELL || sell.fill() <= CpuKernels.SELL_MAX_FILL) {
                SellOperator op = new SellOperator(sell, pool, parts);
                return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
            }
        }
        CsrOperator op = new CsrOperator(a, pool, parts);
        return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
    }

    /**
     * The fp32 pair: SELL-C-σ when the format rule picks it (the same conversion, values rounded),
     * else the scalar CSR fp32 reference on one thread (no Vector API CSR kernel in fp32: the
     * matrices that pick CSR are the irregular ones, where SIMD gains least).
     */
    static PreparedSystemFp32 prepareFp32(CsrMatrix a, SpmvFormat format, int parts, int sigmaChunks) {
        WorkerPool pool = WorkerPool.shared();
        int c = VectorWidth.doubleLanes();
        if (format != SpmvFormat.CSR) {
            SellMatrix sell = SellCache.shared().get(a, c, c * sigmaChunks);
            if (format == SpmvFormat.SELL || sell.fill() <= CpuKernels.SELL_MAX_FILL) {
                SellOperatorFp32 op = new SellOperatorFp32(SellCache.shared().getFp32(a, c, c * sigmaChunks), pool, parts);
                return new PreparedSystemFp32(op, new VectorKrylovKernelsFp32(pool, op.partition()));
            }
        }
        RowPartition p = parts <= 1 ? RowPartition.single(a.rows()) : RowPartition.balanced(a.rows(), a.rowPtr(), 1, parts);
        return new PreparedSystemFp32(new ScalarCsrOperatorFp32(a), new VectorKrylovKernelsFp32(pool, p));
    }
}
