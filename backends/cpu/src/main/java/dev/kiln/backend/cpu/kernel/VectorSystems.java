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
        if (format == SpmvFormat.AUTO || format == SpmvFormat.DIA) {
            DiagonalMatrix dia = format == SpmvFormat.DIA ? forcedDiagonal(a)
                    : key == null ? ConversionCache.shared().getDiagonal(a) : ConversionCache.shared().getDiagonal(a, key);
            if (dia != null) {
                DiagonalOperator op = new DiagonalOperator(dia, pool, parts);
                return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
            }
            if (format == SpmvFormat.DIA) throw new IllegalArgumentException(notDiagonal(a));
        }
        if (format != SpmvFormat.CSR) {
            SellMatrix sell = key == null ? ConversionCache.shared().get(a, c, c * sigmaChunks)
                    : ConversionCache.shared().get(a, key, c, c * sigmaChunks);
            if (format == SpmvFormat.SELL || sell.fill() <= CpuKernels.SELL_MAX_FILL) {
                SellOperator op = new SellOperator(sell, pool, parts);
                return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
            }
        }
        CsrOperator op = new CsrOperator(a, pool, parts);
        return new PreparedSystem(op, new VectorKrylovKernels(pool, op.partition()));
    }

    /** DIA asked for by name (tests, benchmarks): whatever A's size and edge rows, uncached; null past the diagonal and fill bounds. */
    private static DiagonalMatrix forcedDiagonal(CsrMatrix a) {
        return DiagonalMatrix.of(a, DiagonalMatrix.MAX_DIAGONALS, DiagonalMatrix.MAX_FILL);
    }

    private static DiagonalMatrixFp32 toFp32(DiagonalMatrix d) {
        return d == null ? null : d.toFp32();
    }

    private static String notDiagonal(CsrMatrix a) {
        return "DIA format asked for, but the " + a.rows() + "×" + a.cols() + " matrix has more than "
                + DiagonalMatrix.MAX_DIAGONALS + " diagonals or they would pad its " + a.nnz()
                + " non-zeros by more than " + DiagonalMatrix.MAX_FILL + "×";
    }

    /**
     * The fp32 pair: SELL-C-σ when the format rule picks it (the same conversion, values rounded),
     * else the scalar CSR fp32 reference on one thread (no Vector API CSR kernel in fp32: the
     * matrices that pick CSR are the irregular ones, where SIMD gains least).
     */
    static PreparedSystemFp32 prepareFp32(CsrMatrix a, SpmvFormat format, int parts, int sigmaChunks) {
        WorkerPool pool = WorkerPool.shared();
        int c = VectorWidth.doubleLanes();
        if (format == SpmvFormat.AUTO || format == SpmvFormat.DIA) {
            DiagonalMatrixFp32 dia = format == SpmvFormat.DIA ? toFp32(forcedDiagonal(a)) : ConversionCache.shared().getDiagonalFp32(a);
            if (dia != null) {
                DiagonalOperatorFp32 op = new DiagonalOperatorFp32(dia, pool, parts);
                return new PreparedSystemFp32(op, new VectorKrylovKernelsFp32(pool, op.partition()));
            }
            if (format == SpmvFormat.DIA) throw new IllegalArgumentException(notDiagonal(a));
        }
        if (format != SpmvFormat.CSR) {
            SellMatrix sell = ConversionCache.shared().get(a, c, c * sigmaChunks);
            if (format == SpmvFormat.SELL || sell.fill() <= CpuKernels.SELL_MAX_FILL) {
                SellOperatorFp32 op = new SellOperatorFp32(ConversionCache.shared().getFp32(a, c, c * sigmaChunks), pool, parts);
                return new PreparedSystemFp32(op, new VectorKrylovKernelsFp32(pool, op.partition()));
            }
        }
        RowPartition p = parts <= 1 ? RowPartition.single(a.rows()) : RowPartition.balanced(a.rows(), a.rowPtr(), 1, parts);
        return new PreparedSystemFp32(new ScalarCsrOperatorFp32(a), new VectorKrylovKernelsFp32(pool, p));
    }
}
