package dev.kiln.solvers.krylov;

/**
 * Called once per iteration with the iteration count and the (recursive) relative residual.
 *
 * <p>Why: the one hook through which progress events, cancellation and deadlines reach the
 * solver loop without the loop knowing about any of them. Returning {@code false} stops the
 * solve after the current iteration with {@link Termination#STOPPED} (unless that iteration
 * converged: then the result is {@link Termination#CONVERGED}). It runs on the solver's
 * thread inside the hot loop: keep it cheap (read a volatile flag, compare a clock).
 */
@FunctionalInterface
public interface IterationMonitor {
    /** Never stops. */
    IterationMonitor NONE = (iteration, relativeResidual) -> true;

    /**
     * @param iteration        iterations completed so far (1 on the first call)
     * @param relativeResidual ‖r‖₂/‖b‖₂ of the recursively updated residual
     * @return true to continue, false to stop now
     */
    boolean proceed(int iteration, double relativeResidual);
}
