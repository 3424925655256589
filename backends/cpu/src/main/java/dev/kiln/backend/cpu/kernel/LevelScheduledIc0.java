package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Arrays;

/**
 * IC(0) with triangular solves that run on several threads: A is renumbered (P·A·Pᵀ), A's factor
 * by the reference {@link IncompleteCholeskyPreconditioner} is renumbered with it (levels) or
 * P·A·Pᵀ factorised (interface last), and the solves are cut into steps whose parts are
 * independent. Two renumberings:
 *
 * <ul>
 * <li><b>Levels</b> (Anderson and Saad, "Solving sparse triangular linear systems on parallel
 *     computers", Int. J. High Speed Computing 1(1), 1989; Saad, "Iterative Methods for Sparse
 *     Linear Systems", 2nd ed., §11.6): row i's level is one more than the highest level among
 *     the rows its entries of A's lower triangle refer to; rows are numbered by level (stable).
 *     Every edge keeps its orientation, so the factor is A's own IC(0) factor renumbered — the
 *     same preconditioner. A level's rows are independent: a level of at least
 *     {@link #MIN_PARALLEL_LEVEL_ROWS} rows is one pool step split by entries, runs of smaller
 *     ones one step on the caller. On one thread this order also helps: consecutive rows no
 *     longer wait for each other, where the natural order chains every row on the previous one.
 *     On Poisson 2D a level is an anti-diagonal: 2·N − 1 levels of at most N rows, so thousands of
 *     pool steps per solve.</li>
 * <li><b>Interface last</b> (Saad, same book, ch. 12, "Distributed ILU and SSOR": interior
 *     nodes of each subdomain first, interface nodes last), used when it applies: rows are cut
 *     into one block per part, balanced by entries; a row whose lower triangle reaches an earlier
 *     block is an interface row. Without the interface rows the blocks are disconnected, so the
 *     forward solve is one pool step (each part sweeps its block's interior) and then the
 *     interface rows on the caller; backwards the other way round — two pool steps per solve
 *     instead of thousands, which also survives a shared machine where the other core is often
 *     taken. Interiors and interface are each numbered by level (the single-thread gain above).
 *     This changes the preconditioner: an edge between an interface row and a later interior row
 *     of its own block is turned round, so IC(0) drops different fill there; taken only when the
 *     interface holds at most {@link #MAX_INTERFACE_FRACTION} of the rows (Poisson 2D 1024²: one
 *     grid line, 0.1 %). Measured iterations: docs/ARCHITECTURE.md, issue 3.</li>
 * </ul>
 *
 * <p>The solve's arithmetic is the reference's in the same order (L's rows keep their entry
 * order; each row of Lᵀ lists its entries by descending row, the order in which the reference's
 * column-wise backward solve subtracts them), so it equals the reference bit for bit, threaded or
 * not: on A itself for the level ordering (see {@link #inLevelOrder}), on P·A·Pᵀ for interface
 * last. Immutable; cached per matrix by
 * {@link Ic0Cache}; each solve takes its own {@link LevelScheduledIc0Solve}.
 */
public final class LevelScheduledIc0 {
    /**
     * Levels with fewer rows are solved on the caller's thread. A row costs a few nanoseconds
     * (three or four entries on Poisson) and a pool step about 0.2 µs when the other core's worker
     * is spinning (docs/ARCHITECTURE.md, "Threads") — but a whole time slice when the worker
     * claimed a part and was then descheduled, which on this shared 2-core machine (load 10–20)
     * happens often enough over thousands of steps per solve: measured (docs/ARCHITECTURE.md,
     * issue 3) with 256 the threaded solve lost to one thread (Poisson 512² IC(0)-PCG 4.26 s
     * against 3.01 s; one apply's median 5.4 against 2.3 ms), with 1024 it was even or ahead
     * (Poisson 1024² apply median 22.4 against 26.4 ms), and one run with 256 took minutes.
     */
    static final int MIN_PARALLEL_LEVEL_ROWS = 1024;
    /** Interface-last ordering only when the interface is this small a share of the rows (it runs on one thread). */
    static final double MAX_INTERFACE_FRACTION = 0.05;

    /** How the rows were renumbered: not at all, by level, or block interiors first and the interface last. */
    public enum Ordering { NATURAL, LEVELS, INTERFACE_LAST }

    final int n;
    final int parts;
    final Ordering ordering;
    final int levels;
    final double shift;
    final int[] perm;            // new row → original row
    final CsrMatrix permuted;    // P·A·Pᵀ
    final String permutedKey;    // P·A·Pᵀ's key in ConversionCache (from A's fingerprint: no hash of P·A·Pᵀ)
    final int[] lPtr, lCol;      // strict lower part of L (new numbering), L's entry order
    final double[] lVal;
    /**
     * Strict upper part of Lᵀ by rows, entries by descending row; built on first use in the
     * natural ordering, whose own-order solve scatters column-wise instead (only a solve with
     * vectors in A's order through {@link #newSolveInNaturalOrder} reads it there): building it
     * was a third of a small matrix's set-up besides the factorisation (crystm01, issue 3).
     */
    private volatile Transposed upper;
    final double[] inverseDiagonal;   // 1/l_kk
    final Steps forward, backward;
    /** A's own order only: the own-order solve carries the previous row's result in a register ({@link IncompleteCholeskyPreconditioner.Factor#carriesPredecessor}). */
    final boolean carriesPredecessor;

    /**
     * Solve steps in execution order: step s covers new rows [from[s], to[s]); when
     * {@code parallel[s]} part p of it is [bounds[s·(parts+1)+p], bounds[s·(parts+1)+p+1]), parts
     * independent of each other, rows within a part taken in order (forward) or reverse order.
     */
    record Steps(int[] from, int[] to, boolean[] parallel, int[] bounds) {
        int count() { return from.length; }
    }

    private LevelScheduledIc0(int n, int parts, Ordering ordering, int levels, double shift, int[] perm, CsrMatrix permuted,
                              String permutedKey, int[] lPtr, int[] lCol, double[] lVal, Transposed upper,
                              double[] inverseDiagonal, Steps forward, Steps backward, boolean carriesPredecessor) {
        this.n = n;
        this.parts = parts;
        this.ordering = ordering;
        this.levels = levels;
        this.shift = shift;
        this.perm = perm;
        this.permuted = permuted;
        this.permutedKey = permutedKey;
        this.lPtr = lPtr;
        this.lCol = lCol;
        this.lVal = lVal;
        this.upper = upper;
        this.inverseDiagonal = inverseDiagonal;
        this.forward = forward;
        this.backward = backward;
        this.carriesPredecessor = carriesPredecessor;
    }

    /** Renumbers A by level and factorises it, scheduled for {@code parts} threads: the exact IC(0) of A. */
    public static LevelScheduledIc0 of(CsrMatrix a, int parts) {
        return of(a, parts, MIN_PARALLEL_LEVEL_ROWS, Ordering.LEVELS);
    }

    /**
     * Renumbers A as {@code ordering} says, factorises it and schedules the solves for
     * {@code parts} threads, levels under {@code minParallelLevelRows} rows on the caller.
     * INTERFACE_LAST falls back to LEVELS when it does not apply (one part, or an interface over
     * {@link #MAX_INTERFACE_FRACTION}); NATURAL keeps A's numbering (one sequential step each way).
     *
     * @throws dev.kiln.solvers.problem.InvalidProblemException when IC(0) breaks down (A not SPD)
     */
    public static LevelScheduledIc0 of(CsrMatrix a, int parts, int minParallelLevelRows, Ordering ordering) {
        if (parts < 1) throw new IllegalArgumentException("parts must be positive: " + parts);
        if (minParallelLevelRows < 1) throw new IllegalArgumentException("minParallelLevelRows must be positive: " + minParallelLevelRows);
        if (!a.isSquare()) IncompleteCholeskyPreconditioner.of(a);       // the reference's rejection
        if (ordering == Ordering.NATURAL) return natural(a, parts);
        int[] blockStart = parts > 1 && ordering == Ordering.INTERFACE_LAST ? interfaceBlocks(a, parts) : null;
        if (blockStart == null) return inLevelOrder(natural(a, parts), a, minParallelLevelRows);
        int n = a.rows();
        int[] interfaceFrom = new int[1];
        int[] perm = interfaceLastOrder(a, levels(a), blockStart, interfaceFrom);
        // another preconditioner (edges turned round), so P·A·Pᵀ is factorised itself
        CsrMatrix pa = permute(a, perm);
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(pa);
        IncompleteCholeskyPreconditioner.Factor f = ic.factor();
        int[] lPtr = f.rowPtr(), lCol = f.colIdx();
        double[] lVal = f.values();
        Transposed u = Transposed.byDescendingRow(lPtr, lCol, lVal, null);
        int[] bounds = blockBounds(a, blockStart, perm, interfaceFrom[0]);
        Steps fwd = new Steps(new int[] {0, interfaceFrom[0]}, new int[] {interfaceFrom[0], n}, new boolean[] {true, false}, bounds);
        Steps bwd = new Steps(new int[] {interfaceFrom[0], 0}, new int[] {n, interfaceFrom[0]}, new boolean[] {false, true},
                concat(new int[parts + 1], bounds));
        return new LevelScheduledIc0(n, parts, Ordering.INTERFACE_LAST, -1, ic.shift(), perm, pa,
                renumberedKeyPrefix(a) + "interface-last/" + parts,
                lPtr, lCol, lVal, u, f.inverseDiagonal(), fwd, bwd, false);
    }

    /** A's IC(0) in A's own order: one sequential step each way. */
    private static LevelScheduledIc0 natural(CsrMatrix a, int parts) {
        int n = a.rows();
        IncompleteCholeskyPreconditioner ic = IncompleteCholeskyPreconditioner.of(a);
        IncompleteCholeskyPreconditioner.Factor f = ic.factor();
        int[] lPtr = f.rowPtr();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        int[] levelPtr = {0, n};                                   // one "level": a single sequential step
        // the factor's own arrays, no copy: it is stored as the solves read it
        return new LevelScheduledIc0(n, parts, Ordering.NATURAL, 1, ic.shift(), perm, a, a.fingerprint(),
                lPtr, f.colIdx(), f.values(), null, f.inverseDiagonal(),
                steps(levelPtr, lPtr, parts, false, Integer.MAX_VALUE),
                steps(levelPtr, lPtr, parts, true, Integer.MAX_VALUE),     // never parallel: the entry counts are not read
                ic.carriesPredecessor());
    }

    /**
     * {@code natural}'s factor (A's IC(0) in A's own order) renumbered by level, scheduled as
     * {@link #of(CsrMatrix, int, int, Ordering)} does for LEVELS: A is factorised once, not again
     * as P·A·Pᵀ. Every edge keeps its orientation in the level order, so this is IC(0) of P·A·Pᵀ
     * up to the order of the factorisation's sums (equal within rounding; tested to 1e-12). Each
     * row of L keeps A's entry order and each row of Lᵀ lists its entries by descending row of A,
     * so the solves subtract in the reference's order on A: the level-order solve equals
     * {@link IncompleteCholeskyPreconditioner#apply} of A on permuted vectors bit for bit.
     * Why: the second factorisation, and with it the one-off set-up it ran interpreted, was
     * part of the ≈ 0.57 s set-up of a cold solve on Poisson 512² (docs/ARCHITECTURE.md, issue 3).
     */
    public static LevelScheduledIc0 inLevelOrder(LevelScheduledIc0 natural, CsrMatrix a, int minParallelLevelRows) {
        if (natural.ordering != Ordering.NATURAL) throw new IllegalArgumentException("needs the factor in A's own order, was " + natural.ordering);
        if (natural.n != a.rows()) throw new IllegalArgumentException("factor of " + natural.n + " rows, matrix of " + a.rows());
        if (minParallelLevelRows < 1) throw new IllegalArgumentException("minParallelLevelRows must be positive: " + minParallelLevelRows);
        int n = natural.n;
        int[] level = levels(a);
        int[] perm = byLevel(level, 0, n, null);
        int[] inv = new int[n];
        for (int k = 0; k < n; k++) inv[perm[k]] = k;
        int[] np = natural.lPtr, nc = natural.lCol;
        double[] nv = natural.lVal, nd = natural.inverseDiagonal;
        int[] lPtr = new int[n + 1], lCol = new int[nc.length];
        double[] lVal = new double[nc.length], inverseDiagonal = new double[n];
        for (int k = 0; k < n; k++) {
            int i = perm[k], o = lPtr[k], len = np[i + 1] - np[i];
            for (int q = 0; q < len; q++) lCol[o + q] = inv[nc[np[i] + q]];
            System.arraycopy(nv, np[i], lVal, o, len);
            lPtr[k + 1] = o + len;
            inverseDiagonal[k] = nd[i];
        }
        Transposed u = Transposed.byDescendingRow(lPtr, lCol, lVal, perm);
        int[] levelPtr = levelPointers(level);
        return new LevelScheduledIc0(n, natural.parts, Ordering.LEVELS, levelPtr.length - 1, natural.shift, perm, permute(a, perm),
                renumberedKeyPrefix(a) + "levels", lPtr, lCol, lVal, u, inverseDiagonal,
                steps(levelPtr, lPtr, natural.parts, false, minParallelLevelRows),
                steps(levelPtr, u.ptr(), natural.parts, true, minParallelLevelRows), false);
    }

    /** Start of every renumbered P·A·Pᵀ's key in {@link ConversionCache} (A's own keys do not start so). */
    static String renumberedKeyPrefix(CsrMatrix a) {
        return a.fingerprint() + "/ic0-";
    }

    /** Lᵀ by rows (see {@link #upper()}). */
    Transposed upper() {
        Transposed u = upper;
        if (u == null) {
            synchronized (this) {
                u = upper;
                if (u == null) upper = u = Transposed.byDescendingRow(lPtr, lCol, lVal, null);   // natural: no renumbering
            }
        }
        return u;
    }

    /** Lᵀ by rows. */
    record Transposed(int[] ptr, int[] col, double[] val) {
        /**
         * Entry (k, j) of L becomes (j, k); within a row of Lᵀ entries come by descending row of L
         * — of A's own numbering when {@code perm} (new → A's row) is given, the order the
         * reference's column-wise backward solve on A subtracts them in.
         */
        static Transposed byDescendingRow(int[] lPtr, int[] lCol, double[] lVal, int[] perm) {
            int n = lPtr.length - 1, strict = lPtr[n];
            int[] uPtr = new int[n + 1];
            for (int q = 0; q < strict; q++) uPtr[lCol[q] + 1]++;
            for (int k = 0; k < n; k++) uPtr[k + 1] += uPtr[k];
            int[] next = Arrays.copyOf(uPtr, n);
            int[] uCol = new int[strict];
            double[] uVal = new double[strict];
            int[] inv = null;
            if (perm != null) {
                inv = new int[n];
                for (int k = 0; k < n; k++) inv[perm[k]] = k;
            }
            for (int i = n - 1; i >= 0; i--) {
                int k = inv == null ? i : inv[i];
                for (int q = lPtr[k]; q < lPtr[k + 1]; q++) {
                    int o = next[lCol[q]]++;
                    uCol[o] = k;
                    uVal[o] = lVal[q];
                }
            }
            return new Transposed(uPtr, uCol, uVal);
        }
    }
    /** Level of each row in A's lower triangle (0 for rows with none). */
    static int[] levels(CsrMatrix a) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        int[] level = new int[n];
        for (int i = 0; i < n; i++) {
            int lev = 0;
            for (int q = rp[i]; q < rp[i + 1] && ci[q] < i; q++) lev = Math.max(lev, level[ci[q]] + 1);
            level[i] = lev;
        }
        return level;
    }

    /** Rows of [from, to) (restricted to {@code keep}[i] when given) sorted by (level, row). */
    private static int[] byLevel(int[] level, int from, int to, boolean[] keep) {
        int max = 0;
        for (int i = from; i < to; i++) max = Math.max(max, level[i]);
        int[] count = new int[max + 2];
        int rows = 0;
        for (int i = from; i < to; i++) if (keep == null || keep[i]) { count[level[i] + 1]++; rows++; }
        for (int l = 0; l <= max; l++) count[l + 1] += count[l];
        int[] out = new int[rows];
        for (int i = from; i < to; i++) if (keep == null || keep[i]) out[count[level[i]]++] = i;
        return out;
    }

    /**
     * Starts of {@code parts} row blocks balanced by entries (plus {@code n} at the end), or null
     * when the interface rows would exceed {@link #MAX_INTERFACE_FRACTION} or a block is empty.
     */
    private static int[] interfaceBlocks(CsrMatrix a, int parts) {
        int n = a.rows();
        int[] b = RowPartition.balanced(n, a.rowPtr(), 1, parts).bounds();
        for (int p = 0; p < parts; p++) if (b[p + 1] <= b[p]) return null;
        long iface = 0;
        for (int i = 0; i < n; i++) if (isInterface(a, i, blockOf(b, i))) iface++;
        return iface <= MAX_INTERFACE_FRACTION * n ? b : null;
    }

    private static int blockOf(int[] b, int i) {
        int p = 0;
        while (i >= b[p + 1]) p++;
        return p;
    }

    /** Row i (in block p) has a lower-triangle entry in an earlier block. */
    private static boolean isInterface(CsrMatrix a, int i, int blockStartOfRow) {
        int[] rp = a.rowPtr(), ci = a.colIdx();
        return rp[i + 1] > rp[i] && ci[rp[i]] < blockStartOfRow;
    }

    /** Block interiors in block order, each by level, then the interface rows by level; sets interfaceFrom[0]. */
    private static int[] interfaceLastOrder(CsrMatrix a, int[] level, int[] b, int[] interfaceFrom) {
        int n = a.rows(), parts = b.length - 1;
        boolean[] interior = new boolean[n], iface = new boolean[n];
        for (int p = 0; p < parts; p++) {
            for (int i = b[p]; i < b[p + 1]; i++) {
                boolean f = isInterface(a, i, b[p]);
                iface[i] = f;
                interior[i] = !f;
            }
        }
        int[] perm = new int[n];
        int k = 0;
        for (int p = 0; p < parts; p++) {
            int[] rows = byLevel(level, b[p], b[p + 1], interior);
            System.arraycopy(rows, 0, perm, k, rows.length);
            k += rows.length;
        }
        interfaceFrom[0] = k;
        int[] rows = byLevel(level, 0, n, iface);
        System.arraycopy(rows, 0, perm, k, rows.length);
        return perm;
    }

    /** New-numbering bounds of each block's interior: the parts of the one parallel step. */
    private static int[] blockBounds(CsrMatrix a, int[] b, int[] perm, int interfaceFrom) {
        int parts = b.length - 1;
        int[] bounds = new int[parts + 1];
        int p = 0;
        for (int k = 0; k < interfaceFrom; k++) {
            while (perm[k] >= b[p + 1]) bounds[++p] = k;
        }
        while (p < parts) bounds[++p] = interfaceFrom;
        return bounds;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** levelPtr[l] = first new row of level l, for rows numbered by level. */
    private static int[] levelPointers(int[] level) {
        int max = 0;
        for (int l : level) max = Math.max(max, l);
        int[] ptr = new int[max + 2];
        for (int l : level) ptr[l + 1]++;
        for (int l = 0; l <= max; l++) ptr[l + 1] += ptr[l];
        return ptr;
    }

    /**
     * Groups levels into steps: each level of at least {@code minRows} rows is a parallel step
     * split by entries (+1 per row for the diagonal); runs of smaller levels are one sequential
     * step. {@code reverse}: levels last to first (the backward solve).
     */
    private static Steps steps(int[] levelPtr, int[] rowPtr, int parts, boolean reverse, int minRows) {
        int levels = levelPtr.length - 1;
        int[] from = new int[levels], to = new int[levels];
        boolean[] par = new boolean[levels];
        int[] bounds = new int[levels * (parts + 1)];
        int s = 0;
        for (int j = 0; j < levels; j++) {
            int l = reverse ? levels - 1 - j : j;
            int a = levelPtr[l], b = levelPtr[l + 1];
            boolean parallel = parts > 1 && b - a >= minRows;
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
        return new Steps(Arrays.copyOf(from, s), Arrays.copyOf(to, s), Arrays.copyOf(par, s), Arrays.copyOf(bounds, s * (parts + 1)));
    }

    /** P·A·Pᵀ for new → old row map {@code perm} (columns ascending within a row). */
    static CsrMatrix permute(CsrMatrix a, int[] perm) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        int[] inv = new int[n];
        for (int k = 0; k < n; k++) inv[perm[k]] = k;
        int[] ptr = new int[n + 1];
        for (int k = 0; k < n; k++) ptr[k + 1] = ptr[k] + rp[perm[k] + 1] - rp[perm[k]];
        int[] col = new int[ptr[n]];
        double[] val = new double[ptr[n]];
        long[] row = new long[16];
        for (int k = 0; k < n; k++) {
            int i = perm[k], len = rp[i + 1] - rp[i], o = ptr[k];
            // rows whose renumbered columns stay ascending (every row of Poisson in level order)
            // are copied; the sort cost ≈ 60 ms of a cold set-up on Poisson 512² (measured here:
            // a throwaway System.nanoTime harness)
            boolean ascending = true;
            for (int q = 0, last = -1; q < len; q++) {
                int c = inv[ci[rp[i] + q]];
                col[o + q] = c;
                ascending &= c > last;
                last = c;
            }
            if (ascending) {
                System.arraycopy(v, rp[i], val, o, len);
                continue;
            }
            if (row.length < len) row = new long[Math.max(len, 2 * row.length)];
            // (new column, original position) packed in a long: one primitive sort per row
            for (int q = 0; q < len; q++) row[q] = ((long) col[o + q] << 32) | (rp[i] + q);
            Arrays.sort(row, 0, len);
            for (int q = 0; q < len; q++) {
                col[o + q] = (int) (row[q] >>> 32);
                val[o + q] = v[(int) row[q]];
            }
        }
        return CsrMatrix.of(n, n, ptr, col, val);
    }

    /**
     * A solve's own instance (step fields) on {@code pool}, for vectors in the new numbering: the
     * preconditioner of {@link #permuted()}.
     */
    public LevelScheduledIc0Solve newSolve(WorkerPool pool) {
        return new LevelScheduledIc0Solve(this, checked(pool), false);
    }

    /**
     * As {@link #newSolve}, for vectors in A's own order (reads and writes through the
     * permutation; n doubles of work space): M = Pᵀ·L·Lᵀ·P.
     */
    public LevelScheduledIc0Solve newSolveInNaturalOrder(WorkerPool pool) {
        return new LevelScheduledIc0Solve(this, checked(pool), true);
    }

    private WorkerPool checked(WorkerPool pool) {
        // a pool step runs every one of the pool's parts
        if (parts != 1 && parts != pool.parts()) throw new IllegalArgumentException("scheduled for " + parts + " parts, pool has " + pool.parts());
        return pool;
    }

    /** P·v: {@code out[k] = v[perm[k]]} (A's order to the new numbering). */
    public void toNewOrder(double[] v, double[] out) {
        for (int k = 0; k < n; k++) out[k] = v[perm[k]];
    }

    /** Pᵀ·v: {@code out[perm[k]] = v[k]} (new numbering back to A's order). */
    public void toNaturalOrder(double[] v, double[] out) {
        for (int k = 0; k < n; k++) out[perm[k]] = v[k];
    }

    /** P·A·Pᵀ, the matrix this factor belongs to. */
    public CsrMatrix permuted() { return permuted; }
    public Ordering ordering() { return ordering; }
    public int rows() { return n; }
    /** Number of levels of the level ordering (1 for natural, −1 for interface-last). */
    public int levels() { return levels; }
    public int parts() { return parts; }
    /** The Manteuffel shift the factorisation needed (0 when none). */
    public double shift() { return shift; }
    /** Steps of the forward solve that run on the pool (the others run on the caller). */
    public int parallelSteps() {
        int c = 0;
        for (boolean p : forward.parallel()) if (p) c++;
        return c;
    }

    /** Heap held, for the cache's bound. */
    long bytes() {
        return 12L * (2L * lVal.length + permuted.nnz()) + 12L * n + 20L * n;   // L and Lᵀ, built or not
    }
}
