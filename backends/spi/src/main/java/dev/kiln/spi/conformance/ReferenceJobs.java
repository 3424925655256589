package dev.kiln.spi.conformance;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import dev.kiln.solvers.qubo.QuboAssembler;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * Reference jobs the conformance kit runs: generated, so the kit needs no data files.
 * Right-hand sides are b = A·1, so the exact solution is known.
 */
public final class ReferenceJobs {
    private ReferenceJobs() { }

    public static Job linear(String id, CsrMatrix a, double tolerance, int maxIterations) {
        return linear(id, a, LinearMethod.AUTO, tolerance, maxIterations);
    }

    public static Job linear(String id, CsrMatrix a, LinearMethod method, double tolerance, int maxIterations) {
        double[] ones = new double[a.cols()];
        Arrays.fill(ones, 1.0);
        double[] b = new double[a.rows()];
        a.multiply(ones, b);
        LinearOptions lo = new LinearOptions(method, "auto", Double.NaN, tolerance, maxIterations, Precision.FP64, true);
        return new Job(id, JobKind.LINEAR, "conformance", new double[0], LinearProblem.of(a, b, null),
                new JobOptions("auto", Objective.LATENCY, 0, 1, lo));
    }

    /** 2D Poisson on an n×n grid. */
    public static CsrMatrix poisson2d(int n) {
        return PoissonGenerator.poisson2d(n, n, 0.0, null);
    }

    /** 3D Poisson on an n³ grid with a diagonal shift. */
    public static CsrMatrix poisson3dShifted(int n, double shift) {
        return PoissonGenerator.poisson3d(n, n, n, shift, null);
    }

    /** 2D variable-coefficient diffusion, coefficient varying over two orders of magnitude. */
    public static CsrMatrix variableCoefficient2d(int n) {
        return PoissonGenerator.poisson2d(n, n, 0.0, (x, y) -> 1.0 + 99.0 * x * y);
    }

    /** ‖b − A·x‖₂ / ‖b‖₂, computed here independently of any backend. */
    public static double trueRelativeResidual(CsrMatrix a, double[] b, double[] x) {
        double[] ax = new double[a.rows()];
        a.multiply(x, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < b.length; i++) {
            double d = b[i] - ax[i];
            rr += d * d;
            bb += b[i] * b[i];
        }
        return bb == 0 ? Math.sqrt(rr) : Math.sqrt(rr / bb);
    }

    /** A random QUBO with integer weights in [−9, 9] on the diagonal and on about {@code density} of the pairs. */
    public static QuboProblem randomQubo(int n, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        QuboAssembler a = new QuboAssembler(n, "terms");
        for (int i = 0; i < n; i++) {
            a.add(i, i, r.nextInt(-9, 10));
            for (int j = i + 1; j < n; j++) if (r.nextDouble() < density) a.add(i, j, r.nextInt(-9, 10));
        }
        return a.build(QuboProblem.Origin.QUBO);
    }

    /**
     * Max-Cut on the complete graph Kₙ as a QUBO, edge e (pairs i &lt; j in row order) weighted
     * {@code weight(e)}: n(n−1)/2 edges, n(n−1) stored couplings — a shape whose features a
     * backend's test can count by hand.
     */
    public static QuboProblem completeMaxCut(int n, IntToDoubleFunction weight) {
        int m = n * (n - 1) / 2;
        int[] u = new int[m], v = new int[m];
        double[] w = new double[m];
        int e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, e++) {
                u[e] = i;
                v[e] = j;
                w[e] = weight.applyAsDouble(e);
            }
        }
        return MaxCutGraph.of(n, u, v, w, "edges").toQubo();
    }

    /** The exact minimum energy of a small QUBO (n ≤ ~24) by enumerating all 2ⁿ assignments. */
    public static double bruteForceMinimum(QuboProblem q) {
        double best = Double.POSITIVE_INFINITY;
        byte[] x = new byte[q.n()];
        for (long m = 0; m < 1L << q.n(); m++) {
            for (int i = 0; i < q.n(); i++) x[i] = (byte) ((m >>> i) & 1);
            best = Math.min(best, q.energy(x));
        }
        return best;
    }
}
