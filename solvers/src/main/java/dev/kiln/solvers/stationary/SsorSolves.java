package dev.kiln.solvers.stationary;

/**
 * z = M_SSOR⁻¹·r as two triangular solves (Saad, 2nd ed., §10.2.1): (D/ω + L)·y = r, then
 * (D/ω + U)·z = (2 − ω)·(D/ω)·y. Public so the Krylov package's preconditioner can reach the
 * package-private sweeps; no checks, no allocation.
 */
public final class SsorSolves {
    private SsorSolves() {}

    public static void apply(SplitMatrix s, double omega, double[] r, double[] z, double[] scratch) {
        s.lowerSolve(omega, r, scratch);
        double f = (2 - omega) / omega;
        for (int i = 0; i < s.n; i++) scratch[i] *= f * s.diagonal(i);
        s.upperSolve(omega, scratch, z);
    }
}
