package dev.kiln.deploy.bench;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The matrices the spmv and cg benches run on: generated Poisson problems, then Matrix Market files. */
final class BenchMatrices {
    record Case(String name, Supplier<CsrMatrix> matrix) {}

    private BenchMatrices() {}

    static List<Case> files(BenchArgs args) throws IOException {
        List<Case> out = new ArrayList<>();
        for (Path f : args.files("matrices", List.of(BenchArgs.sharedData().resolve("matrices")), ".mtx")) {
            String name = f.getFileName().toString().replaceFirst("\\.mtx$", "");
            out.add(new Case(name, () -> read(f)));
        }
        return out;
    }

    static Case poisson2d(int nx) {
        return new Case("poisson2d_" + nx, () -> PoissonGenerator.poisson2d(nx, nx));
    }

    static Case poisson3d(int nx) {
        return new Case("poisson3d_" + nx, () -> PoissonGenerator.poisson3d(nx, nx, nx));
    }

    private static CsrMatrix read(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            return MatrixMarketReader.read(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(f.toString(), e);
        }
    }

    /** Bytes an SpMV must move at least once: values, column indices, row pointers, x and y. */
    static double spmvBytes(CsrMatrix a) {
        return a.nnz() * 12.0 + (a.rows() + 1) * 4.0 + a.cols() * 8.0 + a.rows() * 8.0;
    }

    /**
     * Bytes the product in {@code format} ({@code csr}, {@code sell}, {@code dia}) must move at
     * least once with {@code valueBytes}-byte values and vectors: as {@link #spmvBytes} for CSR and
     * SELL (padding not counted), but DIA stores no column indices or row pointers — only its
     * values, x and y. This is the figure to hold against STREAM; {@link #spmvBytes} is the common
     * yardstick that makes different layouts' and peers' GB/s a ratio of times.
     */
    static double movedBytes(CsrMatrix a, String format, int valueBytes) {
        double indices = format.equals("dia") ? 0 : a.nnz() * 4.0 + (a.rows() + 1) * 4.0;
        return a.nnz() * (double) valueBytes + indices + (a.cols() + (double) a.rows()) * valueBytes;
    }
}
