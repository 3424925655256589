package dev.kiln.backend.cpu;

import dev.kiln.solvers.krylov.ConjugateGradient;

/**
 * The {@link ConjugateGradient.Workspace} (r, z, p, q) a thread's last small IC(0)-PCG used,
 * handed to its next one of the same size instead of four new n-vectors: allocating and zeroing
 * them cost 20–27 µs of crystm01's ≈ 1 ms IC(0)-PCG (n = 4 875; measured here, throwaway harness
 * after the kernel warm-up, minimum / median of 400 rounds; docs/ARCHITECTURE.md issue 3, "Small
 * solves, fifth pass"). Reuse cannot change a result: CG writes each of the four before reading
 * it (r by the copy of b or the residual, z by the preconditioner's forward solve, which writes
 * z_k before any later row reads it, p by the copy of z, q by the product).
 *
 * <p>Bounded: only systems of at most {@link #MAX_ROWS} rows are kept (a larger one allocates
 * its own, whose cost is then a sliver of its solve), and one workspace per thread — the
 * backend's lanes run on a few long-lived platform threads. A thread must not run a second
 * solve from inside the first (a monitor's callback); nothing here does.
 */
final class CgWorkspaceOfThread {
    /** 65 536 rows: at most 2 MiB kept per thread; the allocation it saves is already under 2 % of a 4 875-row, 2-iteration solve. */
    static final int MAX_ROWS = 1 << 16;

    private static final ThreadLocal<ConjugateGradient.Workspace> LAST = new ThreadLocal<>();

    private CgWorkspaceOfThread() {}

    /** This thread's workspace for n rows (kept for the next call), or null past {@link #MAX_ROWS}: the solve allocates its own. */
    static ConjugateGradient.Workspace forRows(int n) {
        if (n > MAX_ROWS) return null;
        ConjugateGradient.Workspace w = LAST.get();
        if (w == null || w.size() != n) {
            w = new ConjugateGradient.Workspace(n);
            LAST.set(w);
        }
        return w;
    }
}
