package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * A polynomial preconditioner: z = p(D⁻¹A)·D⁻¹r, the result of {@code degree} steps of the
 * Chebyshev iteration on D⁻¹A·z = D⁻¹r from z = 0 (Saad, "Iterative Methods for Sparse Linear
 * Systems", 2nd ed., §12.3.2 Algorithm 12.1), with the eigenvalue interval [a, b] of D⁻¹A from
 * {@link LanczosBounds}: b = 1.1·λ_max(Ritz) as PETSc's KSPChebyshevEstEigSet widens it, a =
 * λ_min(Ritz). The residual polynomial has modulus ≤ 1 on (0, b], so p is positive on the
 * spectrum and M⁻¹ = p(D⁻¹A)D⁻¹ = D^{-1/2}p(D^{-1/2}AD^{-1/2})D^{-1/2} is SPD: a valid PCG
 * preconditioner. It trades {@code degree} extra products per iteration for fewer iterations
 * and fewer global reductions, which pays where reductions or latency dominate.
 *
 * <p>Not thread-safe: holds its three work vectors (one solve at a time).
 */
public final class ChebyshevPreconditioner implements Preconditioner {
    /** Lanczos steps for the bounds: enough for λ_max to settle to a few percent (Saad, Eigen §6.6). */
    public static final int LANCZOS_STEPS = 20;
    /** Default polynomial degree. */
    public static final int DEFAULT_DEGREE = 3;
    /** PETSc's upper-bound safety factor (KSPChebyshevEstEigSet(ksp, 0, 0.1, 0, 1.1)). */
    public static final double UPPER_WIDEN = 1.1;

    private final SparseOperator a;
    private final KrylovKernels k;
    private final double[] invDiag;
    private final int degree;
    private final double lower, upper;
    private final double[] res, dir, ad;

    private ChebyshevPreconditioner(SparseOperator a, KrylovKernels k, double[] invDiag, int degree, double lower, double upper) {
        this.a = a;
        this.k = k;
        this.invDiag = invDiag;
        this.degree = degree;
        this.lower = lower;
        this.upper = upper;
        int n = a.rows();
        res = new double[n];
        dir = new double[n];
        ad = new double[n];
    }

    /** Builds the preconditioner, estimating the bounds of D⁻¹A with Lanczos. */
    public static ChebyshevPreconditioner of(SparseOperator a, KrylovKernels k, double[] invDiag, int degree) {
        if (degree < 1) throw new IllegalArgumentException("degree must be ≥ 1, was " + degree);
        LanczosBounds bounds = LanczosBounds.estimate(a, k, invDiag, LANCZOS_STEPS);
        double upper = UPPER_WIDEN * bounds.max();
        double lower = Math.min(Math.max(bounds.min(), upper * 1e-6), upper * 0.5);
        return new ChebyshevPreconditioner(a, k, invDiag, degree, lower, upper);
    }

    public double lower() { return lower; }
    public double upper() { return upper; }

    @Override
    public void apply(double[] r, double[] z) {
        int n = a.rows();
        double theta = 0.5 * (upper + lower), delta = 0.5 * (upper - lower);
        double sigma = theta / delta;
        double rho = 1 / sigma;
        for (int i = 0; i < n; i++) {                 // res = D⁻¹r, dir = res/θ, z = 0
            double ri = invDiag == null ? r[i] : invDiag[i] * r[i];
            res[i] = ri;
            dir[i] = ri / theta;
            z[i] = 0;
        }
        for (int step = 0; step < degree; step++) {
            k.axpy(n, 1, dir, z);                     // z_{k+1} = z_k + d_k
            if (step == degree - 1) break;
            a.apply(dir, ad);
            for (int i = 0; i < n; i++) res[i] -= (invDiag == null ? 1 : invDiag[i]) * ad[i];
            double rhoNext = 1 / (2 * sigma - rho);
            double c1 = rhoNext * rho, c2 = 2 * rhoNext / delta;
            for (int i = 0; i < n; i++) dir[i] = c1 * dir[i] + c2 * res[i];
            rho = rhoNext;
        }
    }

    @Override
    public String name() { return "chebyshev" + degree; }
}
