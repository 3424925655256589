package dev.kiln.runtime.recycling;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;

/**
 * A cheap fingerprint of a linear job for "which earlier system of the family is nearest": the
 * job's context vector when it carries one, else samples of the right-hand side's direction and
 * of the matrix values. Used to pick the warm start and to order waiting jobs of a family.
 *
 * <p>Why samples instead of whole vectors: the sketch is built on the submitting thread (an
 * event loop or the Kafka poll thread) and compared against every waiting job and every kept
 * solution, so it must cost microseconds, not a pass over n. {@link #SAMPLES} evenly strided
 * entries see any change that is spread over the domain, which is what a slowly varying family
 * (a time step, a swept coefficient) does; a change confined between the samples is missed and
 * only costs the ordering some optimality, never correctness.
 *
 * <p>Distance: with contexts on both sides, Euclidean distance of the contexts (the client's
 * own notion of similarity, as SKR sorts by the PDE parameters); otherwise
 * ‖b̂₁ − b̂₂‖ + ‖a₁ − a₂‖/‖a₁‖ over the samples, b̂ the unit-norm sampled right-hand side (a
 * solution scales with b, so direction is what matters) and a the sampled matrix values.
 *
 * @param n             unknowns
 * @param nnz           stored non-zeros (with n, the structure two systems must share to be compared)
 * @param context       the job's context (may be empty)
 * @param rhsDirection  sampled b, scaled to unit norm (zeros when b is zero at the samples)
 * @param values        sampled matrix values
 * @param valuesNorm    ‖values‖₂
 */
public record ProblemSketch(int n, long nnz, double[] context, double[] rhsDirection, double[] values, double valuesNorm) {
    /** Samples per vector: 256 doubles, 2 KiB, a few hundred nanoseconds to compare. */
    public static final int SAMPLES = 256;

    public static ProblemSketch of(LinearProblem p, double[] context) {
        CsrMatrix a = p.a();
        double[] b = p.b();
        double[] rhs = sample(b);
        double norm = 0;
        for (double v : rhs) norm += v * v;
        norm = Math.sqrt(norm);
        if (norm > 0) for (int i = 0; i < rhs.length; i++) rhs[i] /= norm;
        double[] vals = sample(a.values());
        double vn = 0;
        for (double v : vals) vn += v * v;
        return new ProblemSketch(p.size(), a.nnz(), context == null ? new double[0] : context.clone(), rhs, vals, Math.sqrt(vn));
    }

    private static double[] sample(double[] v) {
        int m = Math.min(SAMPLES, v.length);
        double[] s = new double[m];
        long stride = Math.max(1, v.length / m);
        for (int i = 0; i < m; i++) s[i] = v[(int) Math.min(v.length - 1, i * stride + stride / 2)];
        return s;
    }

    /** True when the two systems have the same size and structure count, so one's solution can start the other. */
    public boolean comparable(ProblemSketch o) {
        return n == o.n && nnz == o.nnz;
    }

    /** Distance to {@code o} (see the class comment); infinite when not {@link #comparable}. */
    public double distance(ProblemSketch o) {
        if (!comparable(o)) return Double.POSITIVE_INFINITY;
        if (context.length > 0 && context.length == o.context.length) {
            double d = 0;
            for (int i = 0; i < context.length; i++) d += (context[i] - o.context[i]) * (context[i] - o.context[i]);
            return Math.sqrt(d);
        }
        double db = 0;
        for (int i = 0; i < rhsDirection.length; i++) db += (rhsDirection[i] - o.rhsDirection[i]) * (rhsDirection[i] - o.rhsDirection[i]);
        double da = 0;
        for (int i = 0; i < values.length; i++) da += (values[i] - o.values[i]) * (values[i] - o.values[i]);
        return Math.sqrt(db) + (valuesNorm > 0 ? Math.sqrt(da) / valuesNorm : 0);
    }
}
