package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

/** Builds the Vector API operator and kernels; only loaded when the module is present. */
final class VectorSystems {
    private VectorSystems() {}

    static PreparedSystem prepare(CsrMatrix a, SpmvFormat format, int parts, int sigmaChunks) {
        WorkerPool pool = WorkerPool.shared();
        int c = VectorWidth.doubleLanes();
        if (format != SpmvFormat.CSR) {
            SellMatrix sell = SellCache.shared().get(a, c, c * sigmaChunks);
            if (format == SpmvFormat.SELL || sell.fill() <= CpuKernels.SELL_MAX_FILL) {
                SellOperator op = new SellOperator(sell, pool, parts);
                return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
            }
        }
        CsrOperator op = new CsrOperator(a, pool, parts);
        return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
    }
}
