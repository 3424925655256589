package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.EisenstatSsorCg;
import dev.kiln.solvers.krylov.IterationMonitor;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.SsorPreconditioner;

/**
 * SSOR-preconditioned CG on the CPU, in the form that is faster for the system's size: Eisenstat's
 * ({@link EisenstatSsorCg}: one pass over A an iteration, all of it sequential) below
 * {@link #EISENSTAT_MAX_ROWS} rows, the textbook's above (a product with A on the vector
 * kernels over the cores, the two SSOR solves, and the fused vector updates, which also run on
 * both cores). Both give PCG's iterates with the same preconditioner; only the time differs.
 *
 * <p>Runs on the caller's thread (the textbook form hands its products to the worker pool).
 */
public final class CpuSsorCg {
    /**
     * Rows from which the textbook form runs. Measured, `./kiln bench cg` (Kiln ÷ PETSc, Eisenstat
     * / textbook, 29 Nov): Poisson 1024² (n = 1 048 576) 0.70 / 0.61; Poisson 512² (262 144) 0.46
     * / 0.46 (medians of 3); bcsstk25 (15 439) 0.77 / 0.83; the smaller shared matrices 0.58–0.83
     * / 0.68–1.35. Past a few hundred thousand rows the vectors leave the core's cache and the
     * textbook's two-core vector passes win over Eisenstat's single-thread ones.
     */
    public static final int EISENSTAT_MAX_ROWS = 500_000;

    private CpuSsorCg() {}

    /** Whether a system of {@code n} rows runs Eisenstat's form. */
    public static boolean eisenstat(int n) {
        return n < EISENSTAT_MAX_ROWS;
    }

    /** Solves A·x = b with SSOR-PCG; {@code sys} and {@code m} describe the same A. */
    public static SolveReport solve(PreparedSystem sys, double[] b, double[] x0, SsorPreconditioner m, double tolerance,
                                    int maxIterations, IterationMonitor monitor) {
        return eisenstat(sys.operator().rows())
                ? EisenstatSsorCg.solve(sys.operator(), b, x0, m, tolerance, maxIterations, monitor)
                : ConjugateGradient.solve(sys.operator(), sys.kernels(), b, x0, m, tolerance, maxIterations, monitor, null);
    }
}
