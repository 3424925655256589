package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * An IC(0) factor L laid out for level-scheduled triangular solves (Anderson and Saad, "Solving
 * sparse triangular linear systems on parallel computers", Int. J. High Speed Computing 1(1),
 * 1989; Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §11.6.1). Row i's level is
 * one more than the highest level among the rows its entries of L refer to, so the rows of one
 * level depend only on earlier levels and can be solved at once; Lᵀ's solve runs the same levels
 * backwards (an entry l_ij puts j on an earlier level than i, so in Lᵀ row j depends on i's later
 * level).
 *
 * <p>Rows are renumbered in level order (stable: by original index within a level) and L is
 * stored in that order twice — L by rows for the forward solve and Lᵀ by rows for the backward
 * one, both as gathers, since a parallel scatter would race. A level's rows are then contiguous,
 * and on a grid matrix (Poisson: levels are anti-diagonals) the previous level's entries a row
 * reads sit next to each other, so the solve streams. This is the same preconditioner, not a
 * reordered one: every edge keeps its orientation, so the factor is L itself, renumbered.
 *
 * <p>The arithmetic is the reference's ({@link IncompleteCholeskyPreconditioner#apply}) in the
 * same order: L's rows keep their original entry order, and each row of Lᵀ lists its entries by
 * descending original row, the order in which the reference's column-wise backward solve
 * subtracts them. So the result equals the reference's bit for bit, threaded or not.
 *
 * <p>Levels holding fewer than {@link #MIN_PARALLEL_LEVEL_ROWS} rows run on one thread, runs
 * of them merged into one sequential step; larger levels are split over the parts by stored
 * entries (a static partition per level, computed here once). Immutable; cached per matrix by
 * {@link Ic0Cache}; each solve takes its own {@link LevelScheduledIc0Solve}.
 */
public final class LevelScheduledIc0 {
    /**
     * Levels with fewer rows are solved on the caller's thread. A row costs a few nanoseconds
     * (three or four entries on Poisson) and handing a step to the other core about 0.2 µs when it
     * is spinning (docs/ARCHITECTURE.md, "Threads"); measured here with
     * {@code LevelScheduledIc0Probe} (see the ARCHITECTURE section): 64, 256 and 1024 rows.
     */
    static final int MIN_PARALLEL_LEVEL_ROWS = 256;

    final int n;
    final int parts;
    final int levels;
    final double shift;
    final int[] perm;            // new row → original row
    final int[] lPtr, lCol;      // strict lower part of L, new numbering, original entry order
    final double[] lVal;
    final int[] uPtr, uCol;      // strict upper part of Lᵀ, new numbering, entries by descending original row
    final double[] uVal;
    final double[] inverseDiagonal;   // 1/l_ii in new numbering
    final Steps forward, backward;

    /**
     * Solve steps in execution order: step s covers new rows [from[s], to[s]); when
     * {@code parallel[s]} part p of it is [bounds[s·(parts+1)+p], bounds[s·(parts+1)+p+1]).
     */
    record Steps(int[] from, int[] to, boolean[] parallel, int[] bounds) {
        int count() { return from.length; }
    }

    private LevelScheduledIc0(int n, int parts, int levels, double shift, int[] perm, int[] lPtr, int[] lCol, double[] lVal,
                              int[] uPtr, int[] uCol, double[] uVal, double[] inverseDiagonal, Steps forward, Steps backward) {
        this.n = n;
        this.parts = parts;
        this.levels = levels;
        this.shift = shift;
        this.perm = perm;
        this.lPtr = lPtr;
        this.lCol = lCol;
        this.lVal = lVal;
        this.uPtr = uPtr;
        this.uCol = uCol;
        this.uVal = uVal;
        this.inverseDiagonal = inverseDiagonal;
        this.forward = forward;
        this.backward = backward;
    }

    /** Factorises A (see {@link IncompleteCholeskyPreconditioner#of}) and schedules it over {@code parts} threads. */
    public static LevelScheduledIc0 of(CsrMatrix a, int parts) {
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        return of(ic.factor(), ic.shift(), parts);
    }

    /** Schedules an existing factor over {@code parts} threads (1: one sequential step each way). */
    public static LevelScheduledIc0 of(IncompleteCholeskyPreconditioner.Factor f, double shift, int parts) {
        if (parts < 1) throw new IllegalArgumentException("parts must be positive: " + parts);
        int n = f.n();
        int[] rp = f.rowPtr(), ci = f.colIdx();
        double[] v = f.values();
        // level of each row; the diagonal is the last entry of a row of L
        int[] level = new int[n];
        int levels = 0;
        for (int i = 0; i < n; i++) {
            int lev = 0;
            for (int q = rp[i], d = rp[i + 1] - 1; q < d; q++) lev = Math.max(lev, level[ci[q]] + 1);
            level[i] = lev;
            levels = Math.max(levels, lev + 1);
        }
        // new numbering: counting sort by level, stable in the original index
        int[] levelPtr = new int[levels + 1];
        for (int i = 0; i < n; i++) levelPtr[level[i] + 1]++;
        for (int l = 0; l < levels; l++) levelPtr[l + 1] += levelPtr[l];
        int[] perm = new int[n], inv = new int[n], fill = levelPtr.clone();
        for (int i = 0; i < n; i++) {
            int k = fill[level[i]]++;
            perm[k] = i;
            inv[i] = k;
        }
        int strict = rp[n] - n;
        int[] lPtr = new int[n + 1], lCol = new int[strict];
        double[] lVal = new double[strict], invDiag = new double[n];
        for (int k = 0; k < n; k++) {
            int i = perm[k], d = rp[i + 1] - 1, o = lPtr[k];
            for (int q = rp[i]; q < d; q++, o++) {
                lCol[o] = inv[ci[q]];
                lVal[o] = v[q];
            }
            lPtr[k + 1] = o;
            invDiag[k] = f.inverseDiagonal()[i];
        }
        // Lᵀ by rows: entry (i, j) of L becomes (j, i); original rows visited descending
        int[] uPtr = new int[n + 1];
        for (int i = 0; i < n; i++) for (int q = rp[i], d = rp[i + 1] - 1; q < d; q++) uPtr[inv[ci[q]] + 1]++;
        for (int k = 0; k < n; k++) uPtr[k + 1] += uPtr[k];
        int[] next = java.util.Arrays.copyOf(uPtr, n);
        int[] uCol = new int[strict];
        double[] uVal = new double[strict];
        for (int i = n - 1; i >= 0; i--) {
            for (int q = rp[i], d = rp[i + 1] - 1; q < d; q++) {
                int o = next[inv[ci[q]]]++;
                uCol[o] = inv[i];
                uVal[o] = v[q];
            }
        }
        Steps fwd = steps(levelPtr, lPtr, parts, false);
        Steps bwd = steps(levelPtr, uPtr, parts, true);
        return new LevelScheduledIc0(n, parts, levels, shift, perm, lPtr, lCol, lVal, uPtr, uCol, uVal, invDiag, fwd, bwd);
    }

    /**
     * Groups levels into steps: each level of at least {@link #MIN_PARALLEL_LEVEL_ROWS} rows is a
     * parallel step split by entries (+1 per row for the diagonal); runs of smaller levels are one
     * sequential step. {@code reverse}: levels last to first (the backward solve).
     */
    private static Steps steps(int[] levelPtr, int[] rowPtr, int parts, boolean reverse) {
        int levels = levelPtr.length - 1;
        int[] from = new int[levels], to = new int[levels];
        boolean[] par = new boolean[levels];
        int[] bounds = new int[levels * (parts + 1)];
        int s = 0;
        for (int j = 0; j < levels; j++) {
            int l = reverse ? levels - 1 - j : j;
            int a = levelPtr[l], b = levelPtr[l + 1];
            boolean parallel = parts > 1 && b - a >= MIN_PARALLEL_LEVEL_ROWS;
            if (!parallel && s > 0 && !par[s - 1]) {                 // extend the sequential run
                if (reverse) from[s - 1] = a;
                else to[s - 1] = b;
                continue;
            }
            from[s] = a;
            to[s] = b;
            par[s] = parallel;
            if (parallel) {
                int o = s * (parts + 1);
                long work = (long) (rowPtr[b] - rowPtr[a]) + (b - a);
                bounds[o] = a;
                int r = a;
                for (int p = 1; p < parts; p++) {
                    long target = work * p / parts;
                    while (r < b && (rowPtr[r] - rowPtr[a]) + (r - a) < target) r++;
                    bounds[o + p] = r;
                }
                bounds[o + parts] = b;
            }
            s++;
        }
        return new Steps(java.util.Arrays.copyOf(from, s), java.util.Arrays.copyOf(to, s), java.util.Arrays.copyOf(par, s),
                java.util.Arrays.copyOf(bounds, s * (parts + 1)));
    }

    /** A solve's own instance (work vector, step fields) on {@code pool}; allocates n doubles once. */
    public LevelScheduledIc0Solve newSolve(WorkerPool pool) {
        // a pool step runs every one of the pool's parts
        if (parts != 1 && parts != pool.parts()) throw new IllegalArgumentException("scheduled for " + parts + " parts, pool has " + pool.parts());
        return new LevelScheduledIc0Solve(this, pool);
    }

    public int rows() { return n; }
    /** Number of levels (the forward solve's critical path in rows). */
    public int levels() { return levels; }
    public int parts() { return parts; }
    /** The Manteuffel shift the factorisation needed (0 when none). */
    public double shift() { return shift; }
    /** Steps that run on the pool in one triangular solve (the others run on the caller). */
    public int parallelSteps() {
        int c = 0;
        for (boolean p : forward.parallel()) if (p) c++;
        return c;
    }

    /** Heap held, for the cache's bound. */
    long bytes() {
        return 12L * (lVal.length + uVal.length) + 8L * (lPtr.length + uPtr.length) + 12L * n;
    }
}
