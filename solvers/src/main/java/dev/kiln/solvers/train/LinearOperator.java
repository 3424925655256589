package dev.kiln.solvers.train;

/**
 * A square linear map applied without its matrix: y = A·x. Curvature matrices of networks are
 * only ever used this way (they have parameters² entries).
 */
@FunctionalInterface
public interface LinearOperator {
    /** Writes A·x into y (same length as x; y is overwritten, never aliased with x). */
    void apply(double[] x, double[] y);
}
