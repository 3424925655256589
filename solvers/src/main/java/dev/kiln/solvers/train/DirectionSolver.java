package dev.kiln.solvers.train;

/**
 * Solves the natural-gradient system (G + λI)·d = g for one step. Digital NGD answers with
 * matrix-free CG ({@link ConjugateGradientDirection}); the thermodynamic backend answers with
 * a simulated analog device. May keep state between the steps of one training run (a device
 * warm-starts from its previous state), so one instance serves one run.
 */
public interface DirectionSolver {
    /**
     * @param dampedCurvature v ↦ (G + λI)·v at the current parameters and batch
     * @param gradient        g, the batch gradient
     * @return d, and what producing it cost
     */
    Direction solve(LinearOperator dampedCurvature, double[] gradient);

    /**
     * The same system given by the batch it comes from, for solvers that need more than products (a device
     * programmed with the curvature's factors, {@link Network.Pass#curvatureFactor}). The default applies
     * (G + λI) matrix-free and calls {@link #solve(LinearOperator, double[])}.
     *
     * @param pass    the batch's forward pass at the current parameters
     * @param damping λ
     */
    default Direction solve(Network.Pass pass, double damping, double[] gradient) {
        return solve((x, y) -> {
            pass.gaussNewtonProduct(x, y);
            for (int i = 0; i < y.length; i++) y[i] += damping * x[i];
        }, gradient);
    }

    /**
     * A direction and its cost.
     *
     * @param d               the direction
     * @param iterations      operator applications (CG iterations, or simulated device steps)
     * @param hardwareSeconds modelled device time (NaN for digital solves, whose time is wall time)
     * @param energyJoules    modelled device energy (NaN when not modelled)
     */
    record Direction(double[] d, int iterations, double hardwareSeconds, double energyJoules) { }
}
