package dev.kiln.spi;

/** The {@code error} object of a result: a code and a message naming what and where. */
public record JobError(ErrorCode code, String message) {
    public JobError {
        if (code == null) throw new IllegalArgumentException("code is required");
        if (message == null) message = "";
    }

    /** A stationary sweep (SOR/SSOR) that grew without bound; one wording for every backend that runs them. */
    public static JobError relaxationDiverged(String method, int iteration, double omega, double relativeResidual) {
        return new JobError(ErrorCode.DIVERGED, method + " diverged at iteration " + iteration + " with ω = " + omega
                + " (relative residual " + relativeResidual + "): the matrix is not SPD or not diagonally dominant enough for "
                + method + "; try gmres");
    }

    /** A·x = b without a solution, shown by the null vector d of A that the iteration's differences converged to. */
    public static JobError inconsistent(int iterations, double certificateNorm, double relativeResidual) {
        return new JobError(ErrorCode.INCONSISTENT, "A·x = b has no solution: after " + iterations
                + " iterations x_{k+1} − x_k converged to a null vector d of A with bᵀd ≠ 0 (‖d‖ = "
                + certificateNorm + ", relative residual stuck at " + relativeResidual + ")");
    }

    /** A run stopped by its cancellation flag or its deadline. */
    public static JobError stopped(Cancellation cancellation, int iteration) {
        return cancellation.cancelled()
                ? new JobError(ErrorCode.CANCELLED, "cancelled at iteration " + iteration)
                : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed at iteration " + iteration);
    }
}
