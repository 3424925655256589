package dev.kiln.solvers.krylov;

/** Why a Krylov solve ended. */
public enum Termination {
    /** The relative residual reached the tolerance (checked against the true residual b − A·x). */
    CONVERGED,
    /** The iteration budget ran out before convergence. */
    MAX_ITERATIONS,
    /**
     * Non-positive curvature pᵀAp ≤ 0, or ρ = rᵀM⁻¹r ≤ 0 for r ≠ 0: A or M is not symmetric
     * positive definite, so CG's assumptions fail (Saad, 2nd ed., §6.7 and §9.2).
     */
    NOT_SPD,
    /** A NaN or infinity appeared in the iteration. */
    DIVERGED,
    /**
     * The true residual stopped decreasing across residual replacements: the tolerance is
     * below what the matrix's conditioning allows in this precision.
     */
    STAGNATED,
    /**
     * A method-specific breakdown that is not the matrix's fault alone: BiCGSTAB's ρ = r̂ᵀr or
     * ω vanished (van der Vorst 1992, §3), GMRES met a zero Arnoldi column while the residual is
     * not yet small (a singular system's Krylov space holds no solution).
     */
    BREAKDOWN,
    /** The {@link IterationMonitor} asked to stop (cancellation or deadline). */
    STOPPED
}
