package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Matrices the kernel and solver tests run on: generated shapes and the real fixtures. */
final class TestMatrices {
    private TestMatrices() {}

    static CsrMatrix fixture(String name) {
        try (InputStream in = TestMatrices.class.getResourceAsStream("/matrices/" + name + ".mtx")) {
            if (in == null) throw new IllegalStateException("missing fixture " + name);
            return MatrixMarketReader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Random non-symmetric n×n with rows of 0..maxRow entries (some rows empty) plus a strong diagonal when asked. */
    static CsrMatrix random(int n, int maxRow, boolean diagonal, long seed) {
        Random rnd = new Random(seed);
        List<int[]> ij = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = i % 7 == 3 ? 0 : rnd.nextInt(maxRow + 1);    // every 7th row empty (off-diagonal)
            for (int k = 0; k < len; k++) {
                ij.add(new int[] {i, rnd.nextInt(n)});
                v.add(rnd.nextDouble() * 2 - 1);
            }
            if (diagonal) { ij.add(new int[] {i, i}); v.add(maxRow + 2.0); }
        }
        int[] r = new int[ij.size()], c = new int[ij.size()];
        double[] val = new double[ij.size()];
        for (int k = 0; k < r.length; k++) { r[k] = ij.get(k)[0]; c[k] = ij.get(k)[1]; val[k] = v.get(k); }
        return CooAssembler.fromCoo(n, n, r, c, val);
    }

    /** Every row empty except a few: exercises empty rows and chunks of zero length. */
    static CsrMatrix mostlyEmpty(int n) {
        return CooAssembler.fromCoo(n, n, new int[] {0, n / 2, n - 1}, new int[] {n - 1, 0, n / 2}, new double[] {2, 3, 4});
    }

    static List<CsrMatrix> all() {
        List<CsrMatrix> l = new ArrayList<>();
        l.add(CooAssembler.fromCoo(1, 1, new int[] {0}, new int[] {0}, new double[] {4}));
        l.add(PoissonGenerator.poisson2d(37, 29));
        l.add(PoissonGenerator.poisson3d(9, 8, 7));
        l.add(random(1001, 40, false, 1));
        l.add(random(257, 3, true, 2));
        l.add(mostlyEmpty(133));
        l.add(fixture("nos3"));
        l.add(fixture("gr_30_30"));
        l.add(fixture("1138_bus"));
        return l;
    }

    static double[] vector(int n, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextDouble() * 2 - 1;
        return x;
    }
}
