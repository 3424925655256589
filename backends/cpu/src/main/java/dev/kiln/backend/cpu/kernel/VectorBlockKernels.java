package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.krylov.BlockKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockKernels} on the Java Vector API, for Krylov recycling's per-iteration work
 * (issue 4): basis vectors are taken four at a time, so each pass loads the shared vector (z, p
 * or x) once per four basis vectors and keeps four vector accumulators or four FMAs in flight.
 * Style as {@link VectorKrylovKernels}: {@code static final} species, {@code loopBound} main loop,
 * one {@code reduceLanes} per accumulator after the loop, scalar tail.
 *
 * <p>Single-threaded on purpose: these passes touch k + 1 vectors a few times per iteration; on
 * the two shared cores a pool hand-off per call would cost more than it saves (measured on the
 * recycle bench, where the same work as separate threaded kernel calls made an iteration 2.5–3×
 * as slow). Stateless; one shared instance. Results are the same bits on every call.
 */
public final class VectorBlockKernels implements BlockKernels {
    public static final VectorBlockKernels INSTANCE = new VectorBlockKernels();

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private VectorBlockKernels() {}

    @Override
    public void dots(int n, double[][] vs, double[] z, double[] out) {
        int k = vs.length, g = 0;
        int bound = SPECIES.loopBound(n);
        for (; g + 4 <= k; g += 4) {
            double[] a0 = vs[g], a1 = vs[g + 1], a2 = vs[g + 2], a3 = vs[g + 3];
            DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            int i = 0;
            for (; i < bound; i += LANES) {
                DoubleVector zv = DoubleVector.fromArray(SPECIES, z, i);
                s0 = DoubleVector.fromArray(SPECIES, a0, i).fma(zv, s0);
                s1 = DoubleVector.fromArray(SPECIES, a1, i).fma(zv, s1);
                s2 = DoubleVector.fromArray(SPECIES, a2, i).fma(zv, s2);
                s3 = DoubleVector.fromArray(SPECIES, a3, i).fma(zv, s3);
            }
            double t0 = s0.reduceLanes(VectorOperators.ADD), t1 = s1.reduceLanes(VectorOperators.ADD);
            double t2 = s2.reduceLanes(VectorOperators.ADD), t3 = s3.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                double zi = z[i];
                t0 = Math.fma(a0[i], zi, t0);
                t1 = Math.fma(a1[i], zi, t1);
                t2 = Math.fma(a2[i], zi, t2);
                t3 = Math.fma(a3[i], zi, t3);
            }
            out[g] = t0;
            out[g + 1] = t1;
            out[g + 2] = t2;
            out[g + 3] = t3;
        }
        for (; g < k; g++) {
            double[] a0 = vs[g];
            DoubleVector s0 = DoubleVector.zero(SPECIES);
            int i = 0;
            for (; i < bound; i += LANES) s0 = DoubleVector.fromArray(SPECIES, a0, i).fma(DoubleVector.fromArray(SPECIES, z, i), s0);
            double t0 = s0.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) t0 = Math.fma(a0[i], z[i], t0);
            out[g] = t0;
        }
    }

    @Override
    public void direction(int n, double[] z, double beta, double[][] w, double[] mu, double[] p) {
        int bound = SPECIES.loopBound(n);
        // first pass: p = z + β·p (or z) − the first up-to-four μ_i·w_i
        int k = w.length, first = Math.min(4, k);
        double m0 = first > 0 ? -mu[0] : 0, m1 = first > 1 ? -mu[1] : 0, m2 = first > 2 ? -mu[2] : 0, m3 = first > 3 ? -mu[3] : 0;
        double[] w0 = first > 0 ? w[0] : z, w1 = first > 1 ? w[1] : z, w2 = first > 2 ? w[2] : z, w3 = first > 3 ? w[3] : z;
        DoubleVector bv = DoubleVector.broadcast(SPECIES, beta);
        DoubleVector v0 = DoubleVector.broadcast(SPECIES, m0), v1 = DoubleVector.broadcast(SPECIES, m1);
        DoubleVector v2 = DoubleVector.broadcast(SPECIES, m2), v3 = DoubleVector.broadcast(SPECIES, m3);
        int i = 0;
        if (beta == 0) {
            for (; i < bound; i += LANES) {
                DoubleVector acc = DoubleVector.fromArray(SPECIES, z, i);
                acc = DoubleVector.fromArray(SPECIES, w0, i).fma(v0, acc);
                acc = DoubleVector.fromArray(SPECIES, w1, i).fma(v1, acc);
                acc = DoubleVector.fromArray(SPECIES, w2, i).fma(v2, acc);
                acc = DoubleVector.fromArray(SPECIES, w3, i).fma(v3, acc);
                acc.intoArray(p, i);
            }
            for (; i < n; i++) p[i] = z[i] + m0 * w0[i] + m1 * w1[i] + m2 * w2[i] + m3 * w3[i];
        } else {
            for (; i < bound; i += LANES) {
                DoubleVector acc = DoubleVector.fromArray(SPECIES, p, i).fma(bv, DoubleVector.fromArray(SPECIES, z, i));
                acc = DoubleVector.fromArray(SPECIES, w0, i).fma(v0, acc);
                acc = DoubleVector.fromArray(SPECIES, w1, i).fma(v1, acc);
                acc = DoubleVector.fromArray(SPECIES, w2, i).fma(v2, acc);
                acc = DoubleVector.fromArray(SPECIES, w3, i).fma(v3, acc);
                acc.intoArray(p, i);
            }
            for (; i < n; i++) p[i] = z[i] + beta * p[i] + m0 * w0[i] + m1 * w1[i] + m2 * w2[i] + m3 * w3[i];
        }
        // further passes: p −= μ_i·w_i four at a time
        for (int g = 4; g < k; g += 4) accumulate(n, w, mu, g, -1, p);
    }

    @Override
    public void addCombination(int n, double[][] w, double[] mu, double[] x) {
        for (int g = 0; g < w.length; g += 4) accumulate(n, w, mu, g, 1, x);
    }

    /** y += sign·Σ_{i=g}^{g+3} μ_i·w_i (fewer at the end). */
    private static void accumulate(int n, double[][] w, double[] mu, int g, double sign, double[] y) {
        int k = w.length, c = Math.min(4, k - g);
        double m0 = sign * mu[g], m1 = c > 1 ? sign * mu[g + 1] : 0, m2 = c > 2 ? sign * mu[g + 2] : 0, m3 = c > 3 ? sign * mu[g + 3] : 0;
        double[] w0 = w[g], w1 = c > 1 ? w[g + 1] : w0, w2 = c > 2 ? w[g + 2] : w0, w3 = c > 3 ? w[g + 3] : w0;
        DoubleVector v0 = DoubleVector.broadcast(SPECIES, m0), v1 = DoubleVector.broadcast(SPECIES, m1);
        DoubleVector v2 = DoubleVector.broadcast(SPECIES, m2), v3 = DoubleVector.broadcast(SPECIES, m3);
        int bound = SPECIES.loopBound(n), i = 0;
        for (; i < bound; i += LANES) {
            DoubleVector acc = DoubleVector.fromArray(SPECIES, y, i);
            acc = DoubleVector.fromArray(SPECIES, w0, i).fma(v0, acc);
            acc = DoubleVector.fromArray(SPECIES, w1, i).fma(v1, acc);
            acc = DoubleVector.fromArray(SPECIES, w2, i).fma(v2, acc);
            acc = DoubleVector.fromArray(SPECIES, w3, i).fma(v3, acc);
            acc.intoArray(y, i);
        }
        for (; i < n; i++) y[i] += m0 * w0[i] + m1 * w1[i] + m2 * w2[i] + m3 * w3[i];
    }

    @Override
    public void combine(int n, double[][] sources, double[] scale, double[][] coef, double[][] out) {
        int m = sources.length;
        double[] mu = new double[m]; // once per solve, not per iteration
        for (int j = 0; j < out.length; j++) {
            java.util.Arrays.fill(out[j], 0, n, 0.0);
            for (int s = 0; s < m; s++) mu[s] = coef[s][j] * scale[s];
            addCombination(n, sources, mu, out[j]);
        }
    }
}
