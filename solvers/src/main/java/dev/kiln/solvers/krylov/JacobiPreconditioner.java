package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;

/**
 * M = diag(A) (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §10.2; also called
 * diagonal scaling). Cheap, parallel, and effective when the diagonal varies a lot, as with
 * variable-coefficient PDEs.
 *
 * <p>Decision on unusable diagonals: PCG needs M to be SPD, i.e. every a_ii &gt; 0. A zero,
 * negative or missing diagonal entry also proves that A itself is not SPD (an SPD matrix has
 * a_ii = e_iᵀAe_i &gt; 0). So {@link #of} refuses such a matrix with an
 * {@link InvalidProblemException} naming {@code diagonal[i]}: for a Jacobi-PCG solve the
 * problem as posed is invalid, not merely slow. A caller that wants to fall back instead asks
 * {@link #isApplicable} first and uses {@link IdentityPreconditioner} (whose CG will then
 * report NOT_SPD if A really is indefinite).
 */
public final class JacobiPreconditioner implements Preconditioner {
    private final double[] inverseDiagonal;

    private JacobiPreconditioner(double[] inverseDiagonal) {
        this.inverseDiagonal = inverseDiagonal;
    }

    /**
     * Builds M⁻¹ = diag(A)⁻¹.
     *
     * @throws InvalidProblemException if A is not square ({@code matrix}) or a diagonal entry is
     *         not positive or its reciprocal is not finite ({@code diagonal[i]})
     */
    public static JacobiPreconditioner of(CsrMatrix a) {
        if (!a.isSquare()) {
            throw new InvalidProblemException("matrix", "Jacobi needs a square matrix, was " + a.rows() + "x" + a.cols());
        }
        double[] d = a.diagonal();
        for (int i = 0; i < d.length; i++) {
            double inv = 1.0 / d[i];
            if (!(d[i] > 0) || !Double.isFinite(inv)) {
                throw new InvalidProblemException("diagonal[" + i + "]", "is " + d[i]
                        + ": Jacobi preconditioning needs a positive diagonal (so the matrix is not SPD)");
            }
            d[i] = inv;
        }
        return new JacobiPreconditioner(d);
    }

    /** True when {@link #of} would succeed: square, every diagonal entry positive. */
    public static boolean isApplicable(CsrMatrix a) {
        if (!a.isSquare()) return false;
        for (double v : a.diagonal()) {
            if (!(v > 0) || !Double.isFinite(1.0 / v)) return false;
        }
        return true;
    }

    @Override
    public void apply(double[] r, double[] z) {
        double[] inv = inverseDiagonal;
        for (int i = 0; i < inv.length; i++) z[i] = inv[i] * r[i];
    }

    @Override
    public double[] inverseDiagonal() {
        return inverseDiagonal;
    }

    @Override
    public String name() {
        return "jacobi";
    }
}
