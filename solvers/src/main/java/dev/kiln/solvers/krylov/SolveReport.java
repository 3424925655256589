package dev.kiln.solvers.krylov;

/**
 * What a Krylov solve produced.
 *
 * @param termination       why it ended
 * @param iterations        iterations performed (0 when the initial guess already satisfied the
 *                          tolerance or b = 0)
 * @param relativeResidual  the TRUE relative residual ‖b − A·x‖₂/‖b‖₂, recomputed from x at the
 *                          end (0 when b = 0): the number to report to a client
 * @param recursiveResidual the recursively updated residual's ‖r‖₂/‖b‖₂ at the end, which
 *                          drifts from the true one in floating point (kept for diagnosis)
 * @param x                 the solution (or last iterate), owned by the caller
 */
public record SolveReport(Termination termination, int iterations, double relativeResidual,
                          double recursiveResidual, double[] x) {

    /** True when {@link #termination()} is {@link Termination#CONVERGED}. */
    public boolean converged() {
        return termination == Termination.CONVERGED;
    }

    @Override
    public String toString() {
        return "SolveReport[" + termination + ", iterations=" + iterations + ", relativeResidual=" + relativeResidual
                + ", recursiveResidual=" + recursiveResidual + ", n=" + (x == null ? 0 : x.length) + "]";
    }
}
