package dev.kiln.solvers.krylov;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.stationary.SplitMatrix;
import dev.kiln.solvers.stationary.SsorSolves;

/**
 * The SSOR preconditioner M = (D/ω + L)(D/ω)⁻¹(D/ω + U)/(2 − ω) for A = L + D + U (Saad,
 * "Iterative Methods for Sparse Linear Systems", 2nd ed., §10.2.1, eq. 10.10 up to the scalar
 * factor ω(2−ω), which we keep so M⁻¹ is exactly one SSOR iteration's correction). For symmetric
 * A with a positive diagonal and 0 &lt; ω &lt; 2, M is SPD, so PCG may use it; ω is the parameter the
 * tuner learns ("Learning to Relax", Khodak et al., ICLR 2024, §5: SSOR-preconditioned CG).
 *
 * <p>Applying M⁻¹ is one forward and one backward triangular solve, about the cost of one
 * product with A. Holds one scratch vector, so an instance serves one solve at a time.
 */
public final class SsorPreconditioner implements Preconditioner {
    private final SplitMatrix split;
    private final double omega;
    private final double[] scratch;

    private SsorPreconditioner(SplitMatrix split, double omega) {
        this.split = split;
        this.omega = omega;
        this.scratch = new double[split.size()];
    }

    /**
     * @throws InvalidProblemException when ω is not in (0, 2) ({@code options.omega}) or a diagonal
     *         entry is not positive ({@code problem.matrix.diagonal[i]}): M would not be SPD
     */
    public static SsorPreconditioner of(CsrMatrix a, double omega) {
        return of(SplitMatrix.of(a), omega);
    }

    /** As {@link #of(CsrMatrix, double)} for an already split matrix. */
    public static SsorPreconditioner of(SplitMatrix split, double omega) {
        if (!(omega > 0 && omega < 2)) {
            throw new InvalidProblemException("options.omega", "SSOR needs 0 < ω < 2 for an SPD preconditioner, was " + omega);
        }
        if (!split.positiveDiagonal()) {
            throw new InvalidProblemException("problem.matrix.diagonal",
                    "has an entry ≤ 0: the SSOR preconditioner needs a positive diagonal (so the matrix is not SPD)");
        }
        return new SsorPreconditioner(split, omega);
    }

    public double omega() { return omega; }

    /** The split matrix the sweeps run on (shared, immutable). */
    public SplitMatrix split() { return split; }

    @Override
    public void apply(double[] r, double[] z) {
        SsorSolves.apply(split, omega, r, z, scratch);
    }

    @Override
    public String name() {
        return "ssor";
    }
}
