package dev.kiln.benchmarks.jmh;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;

import java.util.Random;

/** The matrices and vectors the benchmarks run on, by name, generated so the suite needs no data files. */
final class Inputs {
    private Inputs() {}

    /** {@code poisson2d-N} (N² unknowns, 5-point) or {@code poisson3d-N} (N³ unknowns, 7-point). */
    static CsrMatrix matrix(String name) {
        String[] parts = name.split("-");
        int nx = Integer.parseInt(parts[1]);
        return switch (parts[0]) {
            case "poisson2d" -> PoissonGenerator.poisson2d(nx, nx);
            case "poisson3d" -> PoissonGenerator.poisson3d(nx, nx, nx);
            default -> throw new IllegalArgumentException("unknown matrix " + name + " (poisson2d-N or poisson3d-N)");
        };
    }

    /** Uniform in [−1, 1), seeded. */
    static double[] vector(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextDouble() * 2 - 1;
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
