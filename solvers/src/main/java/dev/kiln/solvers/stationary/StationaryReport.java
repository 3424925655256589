package dev.kiln.solvers.stationary;

/**
 * The end of a stationary solve.
 *
 * @param termination      why it ended
 * @param iterations       sweeps done (an SSOR iteration, forward plus backward sweep, counts once)
 * @param relativeResidual true ‖b − A·x‖₂/‖b‖₂ of the returned x
 * @param certificateNorm  for {@link StationaryTermination#INCONSISTENT}: ‖d‖₂ of the limit d of
 *                         x_{k+1} − x_k (the infimal displacement of the fixed-point map, a measure
 *                         of how far the system is from consistent); NaN otherwise
 * @param x                the solution or last iterate, owned by the caller
 */
public record StationaryReport(StationaryTermination termination, int iterations, double relativeResidual,
                               double certificateNorm, double[] x) {
    public boolean converged() { return termination == StationaryTermination.CONVERGED; }

    @Override
    public String toString() {
        return "StationaryReport[" + termination + ", iterations=" + iterations + ", relativeResidual=" + relativeResidual
                + (Double.isNaN(certificateNorm) ? "" : ", certificateNorm=" + certificateNorm) + "]";
    }
}
