package dev.kiln.solvers.train;

/**
 * Conjugate gradients (Hestenes & Stiefel 1952; Saad, "Iterative Methods for Sparse Linear
 * Systems", 2nd ed., Alg. 6.18) on a {@link LinearOperator}: the natural-gradient direction
 * solve (G + λI)·d = g, where the operator is a Gauss–Newton product and never a matrix.
 * The CSR solver of linear jobs lives in {@code krylov}; this one is its matrix-free sibling.
 * Truncated CG is the usual inner solve of Hessian-free / natural-gradient training
 * (Martens, "Deep learning via Hessian-free optimization", ICML 2010, §4).
 */
public final class MatrixFreeConjugateGradient {
    private MatrixFreeConjugateGradient() { }

    /** What a solve produced: x, iterations, the recursive relative residual, and whether it met the tolerance. */
    public record Result(double[] x, int iterations, double relativeResidual, boolean converged) { }

    /**
     * Solves A·x = b from {@code x0} (or zero) until ‖r‖/‖b‖ ≤ tolerance or maxIterations.
     * Stops early, unconverged, if a non-positive curvature pᵀAp ≤ 0 appears (A not SPD).
     */
    public static Result solve(LinearOperator a, double[] b, double[] x0, double tolerance, int maxIterations) {
        int n = b.length;
        double[] x = x0 == null ? new double[n] : x0.clone();
        double[] r = new double[n];
        double[] ap = new double[n];
        double bNorm = Math.sqrt(dot(b, b));
        if (bNorm == 0) return new Result(new double[n], 0, 0, true);
        if (x0 != null) {
            a.apply(x, ap);
            for (int i = 0; i < n; i++) r[i] = b[i] - ap[i];
        } else {
            System.arraycopy(b, 0, r, 0, n);
        }
        double[] p = r.clone();
        double rr = dot(r, r);
        int it = 0;
        while (Math.sqrt(rr) / bNorm > tolerance && it < maxIterations) {
            a.apply(p, ap);
            double pap = dot(p, ap);
            if (!(pap > 0)) break;
            double alpha = rr / pap;
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            double rrNew = dot(r, r);
            double beta = rrNew / rr;
            rr = rrNew;
            for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
            it++;
        }
        double rel = Math.sqrt(rr) / bNorm;
        return new Result(x, it, rel, rel <= tolerance);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
