package dev.kiln.solvers.train;

/**
 * Digital NGD's direction: truncated matrix-free CG on (G + λI)·d = g, started from zero
 * (so the first iterate is a scaled gradient and stopping early interpolates between
 * gradient descent and the exact natural gradient, as in Martens 2010 §4).
 */
public final class ConjugateGradientDirection implements DirectionSolver {
    private final double tolerance;
    private final int maxIterations;

    public ConjugateGradientDirection(double tolerance, int maxIterations) {
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
    }

    @Override
    public Direction solve(LinearOperator dampedCurvature, double[] gradient) {
        MatrixFreeConjugateGradient.Result r = MatrixFreeConjugateGradient.solve(dampedCurvature, gradient, null, tolerance, maxIterations);
        return new Direction(r.x(), r.iterations(), Double.NaN, Double.NaN);
    }
}
