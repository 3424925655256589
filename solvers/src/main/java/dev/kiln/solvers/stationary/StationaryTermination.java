package dev.kiln.solvers.stationary;

/** Why a stationary (SOR/SSOR) iteration ended. */
public enum StationaryTermination {
    /** The true relative residual ‖b − A·x‖₂/‖b‖₂ reached the tolerance. */
    CONVERGED,
    /** The iteration budget ran out first. */
    MAX_ITERATIONS,
    /** A NaN or infinity appeared, or the residual grew past any use (ω outside (0, 2), or A far from SPD). */
    DIVERGED,
    /**
     * The iterate difference x_{k+1} − x_k converged to a nonzero null vector d of A with
     * bᵀd ≠ 0: A·x = b has no solution (Fredholm alternative), see {@link InconsistencyDetector}.
     */
    INCONSISTENT,
    /** The monitor asked to stop (cancellation or deadline). */
    STOPPED
}
