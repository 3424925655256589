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

    /** ω when nothing chose one: 1, PETSc's default for PCSOR ({@code -pc_sor_omega}), i.e. Gauss–Seidel. */
    public static final double DEFAULT_OMEGA = 1.0;

    public boolean omegaAuto() { return Double.isNaN(omega); }

    /** The job's ω, or {@link #DEFAULT_OMEGA} while it is still {@code "auto"} (the runtime's tuner fills it for a family). */
    public double omegaOrDefault() { return omegaAuto() ? DEFAULT_OMEGA : omega; }

    /**
     * Whether a stationary method (sor, ssor) on any backend takes these options: it is its own
     * preconditioner, so only {@code none} and {@code auto} apply.
     */
    public Support stationarySupport() {
        if (preconditioner.equals("auto") || preconditioner.equals("none")) return Support.YES;
        return Support.no(ErrorCode.UNSUPPORTED, "options.preconditioner: " + preconditioner + " does not apply to "
                + method.wireName() + " (a stationary method is its own preconditioner; use none or auto)");
    }
}
