package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.krylov.Preconditioner;

/**
 * z = (L·Lᵀ)⁻¹·r with a {@link LevelScheduledIc0}: the forward solve level by level, then the
 * backward solve levels last to first, y = L⁻¹r overwritten in place by z (row k reads its own y
 * and rows of later levels, already solved). Two kinds of vectors:
 * <ul>
 * <li>in level order ({@link LevelScheduledIc0#newSolve}, for a solve of the renumbered system
 *     P·A·Pᵀ): r is read and z written in place, every access streams;</li>
 * <li>in the matrix's own order ({@link LevelScheduledIc0#newSolveInNaturalOrder}): r is read and
 *     z written through the permutation, y kept in a work vector. On Poisson 2D a level is an
 *     anti-diagonal, so each of those accesses is its own cache line — measured about twice the
 *     level-order time on one thread.</li>
 * </ul>
 *
 * <p>Each parallel level is one {@link WorkerPool} step over the level's precomputed parts;
 * runs of small levels go on the caller's thread. Kernels are loops only (the direction is chosen
 * in {@link #run}); nothing is allocated per apply. One instance per solve; not thread-safe.
 */
public final class LevelScheduledIc0Solve implements Preconditioner, WorkerPool.Task {
    private final LevelScheduledIc0 f;
    private final WorkerPool pool;
    private final double[] w;         // y, then z, in level order; null when the vectors are in level order
    /**
     * A's own order (one sequential step): Lᵀ column-wise, as the reference does — the gather over
     * Lᵀ's rows was slower there (./kiln bench cg --quick: nos3 1.69 against 1.27 ms, msc04515 440
     * against 298, gr_30_30 0.57 against 0.41), and a scatter is safe on one thread.
     */
    private final boolean scatter;
    /**
     * A's own order on a factor of long rows (at least {@link #LONG_ROWS} strict-lower entries a
     * row on average): the solve runs {@link #forwardLongRows} and {@link #backwardScatterLongRows},
     * copies of the short-row loops. Why copies: C2 unrolls an inner loop only as far as its
     * profiled trip count allows, so code first trained on Poisson's 2 entries a row (the warm-up,
     * any smaller job) ran crystm01's 10.3 ≈ 20 % slower — a copy of the reference solve warmed on
     * Poisson 64×60 first took 94–98 µs per apply against 78–83 warmed on crystm01 alone, and this
     * solve 86–90 against the reference's 73–77 (measured here: throwaway harness, 1 000 rounds,
     * three JVMs; docs/ARCHITECTURE.md issue 3, "Small solves, fifth pass"). Each copy now sees rows
     * of its own kind only. Same arithmetic, so the same bits.
     */
    private final boolean longRows;
    /**
     * A's own order on short rows chained to their predecessor
     * ({@link LevelScheduledIc0#carriesPredecessor}): {@link #forwardChainedRows} and
     * {@link #backwardScatterChainedRows} carry the previous row's result in a register. Loops of
     * their own, so the plain ones keep their code and profile for the other patterns.
     */
    private final boolean chained;
    /** Mean strict-lower entries per row from which A's own-order solve takes the long-row copies: between Poisson 3-D's 2.9 and bcsstk08's 5.5. */
    static final double LONG_ROWS = 4;
    /** Lᵀ by rows, or null when the backward solve scatters (A's own order: the natural factor need not build it). */
    private final LevelScheduledIc0.Transposed u;
    private double[] r, z;
    private int step;
    private boolean forwardStep;

    LevelScheduledIc0Solve(LevelScheduledIc0 f, WorkerPool pool, boolean naturalOrder) {
        this.f = f;
        this.pool = pool;
        this.w = naturalOrder ? new double[f.n] : null;
        this.scatter = !naturalOrder && f.ordering == LevelScheduledIc0.Ordering.NATURAL;
        this.u = scatter ? null : f.upper();
        this.longRows = scatter && f.n > 0 && f.lPtr[f.n] >= LONG_ROWS * f.n;
        this.chained = scatter && !longRows && f.carriesPredecessor;
    }

    @Override
    public void apply(double[] r, double[] z) {
        this.r = r;
        this.z = z;
        LevelScheduledIc0.Steps fs = f.forward, bs = f.backward;
        forwardStep = true;
        for (int s = 0, c = fs.count(); s < c; s++) {
            if (fs.parallel()[s]) {
                step = s;
                pool.run(this);
            } else {
                forward(fs.from()[s], fs.to()[s]);
            }
        }
        forwardStep = false;
        for (int s = 0, c = bs.count(); s < c; s++) {
            if (bs.parallel()[s]) {
                step = s;
                pool.run(this);
            } else {
                backward(bs.from()[s], bs.to()[s]);
            }
        }
        this.r = null;
        this.z = null;
    }

    @Override
    public void run(int part) {
        int o = step * (f.parts + 1) + part;
        if (forwardStep) {
            int[] b = f.forward.bounds();
            forward(b[o], b[o + 1]);
        } else {
            int[] b = f.backward.bounds();
            backward(b[o], b[o + 1]);
        }
    }

    private void forward(int from, int to) {
        if (longRows) forwardLongRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, r, z, from, to);
        else if (chained) forwardChainedRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, r, z, from, to);
        else if (w == null) forwardRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, r, z, from, to);
        else forwardRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, f.perm, r, w, from, to);
    }

    private void backward(int from, int to) {
        if (longRows) backwardScatterLongRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, z, from, to);
        else if (chained) backwardScatterChainedRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, z, from, to);
        else if (scatter) backwardScatterRows(f.lPtr, f.lCol, f.lVal, f.inverseDiagonal, z, from, to);
        else if (w == null) backwardRows(u.ptr(), u.col(), u.val(), f.inverseDiagonal, z, from, to);
        else backwardRows(u.ptr(), u.col(), u.val(), f.inverseDiagonal, f.perm, w, z, from, to);
    }

    /** The reference's backward solve on rows [from, to), last first: z_k ·= 1/l_kk, then z_j −= l_kj·z_k for j &lt; k. */
    static void backwardScatterRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] z, int from, int to) {
        for (int k = to - 1; k >= from; k--) {
            double zk = z[k] * invDiag[k];
            z[k] = zk;
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) z[col[q]] -= val[q] * zk;
        }
    }

    /**
     * {@link #backwardScatterRows} with row k's update of z_{k−1} (l_{k,k−1}·z_k, its last entry
     * and the last update z_{k−1} gets) kept in a register and subtracted as row k−1 starts,
     * instead of stored and reloaded at once: the store-to-load forwarding leaves the row-to-row
     * chain. The same operations in the same order, so the same bits (see {@link #chained}).
     */
    static void backwardScatterChainedRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] z, int from, int to) {
        boolean carried = false;
        double update = 0;
        for (int k = to - 1; k >= from; k--) {
            double zk;
            if (carried) zk = (z[k] - update) * invDiag[k];
            else zk = z[k] * invDiag[k];
            z[k] = zk;
            int q = ptr[k], e = ptr[k + 1];
            carried = e > q && col[e - 1] == k - 1;
            if (carried) {
                e--;
                update = val[e] * zk;
            }
            for (; q < e; q++) z[col[q]] -= val[q] * zk;
        }
        if (carried) z[from - 1] -= update;          // row from−1 lies outside this step: hand it over in memory
    }

    /**
     * {@link #forwardRows(int[], int[], double[], double[], double[], double[], int, int)} with
     * y_{k−1} kept in a register for row k's last term l_{k,k−1}·y_{k−1} (columns ascend) instead
     * of reloaded from the store just made. Same operations in the same order, so the same bits.
     */
    static void forwardChainedRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] r, double[] y, int from, int to) {
        double previous = from > 0 ? y[from - 1] : 0;     // an earlier step's last row, already in memory
        for (int k = from; k < to; k++) {
            double s = r[k];
            int q = ptr[k], e = ptr[k + 1];
            if (e > q && col[e - 1] == k - 1) {
                e--;
                for (; q < e; q++) s -= val[q] * y[col[q]];
                s -= val[e] * previous;
            } else {
                for (; q < e; q++) s -= val[q] * y[col[q]];
            }
            previous = s * invDiag[k];
            y[k] = previous;
        }
    }

    /** {@link #backwardScatterRows} for factors of long rows (see {@link #longRows}). */
    static void backwardScatterLongRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] z, int from, int to) {
        for (int k = to - 1; k >= from; k--) {
            double zk = z[k] * invDiag[k];
            z[k] = zk;
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) z[col[q]] -= val[q] * zk;
        }
    }

    /** {@link #forwardRows(int[], int[], double[], double[], double[], double[], int, int)} for factors of long rows in A's own order (see {@link #longRows}). */
    static void forwardLongRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] r, double[] y, int from, int to) {
        for (int k = from; k < to; k++) {
            double s = r[k];
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) s -= val[q] * y[col[q]];
            y[k] = s * invDiag[k];
        }
    }

    /** y_k = (r_k − Σ l_kj·y_j)·(1/l_kk) for rows k in [from, to), vectors in level order. */
    static void forwardRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] r, double[] y, int from, int to) {
        for (int k = from; k < to; k++) {
            double s = r[k];
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) s -= val[q] * y[col[q]];
            y[k] = s * invDiag[k];
        }
    }

    /** z_k = (y_k − Σ_{j later} l_jk·z_j)·(1/l_kk) for rows k in [from, to), last first, in place, level order. */
    static void backwardRows(int[] ptr, int[] col, double[] val, double[] invDiag, double[] z, int from, int to) {
        for (int k = to - 1; k >= from; k--) {
            double s = z[k];
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) s -= val[q] * z[col[q]];
            z[k] = s * invDiag[k];
        }
    }

    /** y_k = (r_perm[k] − Σ l_kj·y_j)·(1/l_kk) for new rows k in [from, to). */
    static void forwardRows(int[] ptr, int[] col, double[] val, double[] invDiag, int[] perm, double[] r, double[] y,
                            int from, int to) {
        for (int k = from; k < to; k++) {
            double s = r[perm[k]];
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) s -= val[q] * y[col[q]];
            y[k] = s * invDiag[k];
        }
    }

    /** z_k = (y_k − Σ_{j later} l_jk·z_j)·(1/l_kk) for new rows k in [from, to), last first; z_perm[k] gets it too. */
    static void backwardRows(int[] ptr, int[] col, double[] val, double[] invDiag, int[] perm, double[] w, double[] z,
                             int from, int to) {
        for (int k = to - 1; k >= from; k--) {
            double s = w[k];
            for (int q = ptr[k], e = ptr[k + 1]; q < e; q++) s -= val[q] * w[col[q]];
            double t = s * invDiag[k];
            w[k] = t;
            z[perm[k]] = t;
        }
    }

    @Override
    public String name() { return "ic0"; }
}
