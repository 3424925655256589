package dev.kiln.spi;

/**
 * Options of a linear job (wire format v1, {@code options} of {@code kind: linear}).
 *
 * @param method         solver method; {@link LinearMethod#AUTO} lets the backend choose
 * @param preconditioner {@code none}, {@code jacobi}, ... or {@code auto}
 * @param omega          relaxation factor for SOR/SSOR; {@code NaN} means {@code "auto"}
 * @param tolerance      relative residual ‖b−Ax‖/‖b‖ to reach
 * @param maxIterations  iteration budget
 * @param precision      arithmetic precision
 * @param returnSolution whether the result carries x
 */
public record LinearOptions(LinearMethod method, String preconditioner, double omega, double tolerance,
                            int maxIterations, Precision precision, boolean returnSolution) implements KindOptions {
    /** Defaults a PETSc user would expect: rtol 1e-8, at most 10 000 iterations, fp64. */
    public static LinearOptions defaults() {
        return new LinearOptions(LinearMethod.AUTO, "auto", Double.NaN, 1e-8, 10_000, Precision.FP64, false);
    }

    public boolean omegaAuto() { return Double.isNaN(omega); }
}
