package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperator;

/**
 * What every fp64 CPU product (CSR, SELL-C-σ, DIA) does around its kernels: carries a step's
 * arguments in fields, runs the step on one thread or on the {@link WorkerPool} by its fixed
 * {@link RowPartition}, and sums the parts' dot products in part order (so the result does not
 * depend on which thread ran which part). A subclass's {@link #run} picks its kernel by
 * {@link #op} and ends with {@link #partDot}.
 *
 * <p>One instance per solve (the step's arguments are fields); not thread-safe.
 */
abstract class PartitionedOperator implements SparseOperator, WorkerPool.Task {
    static final int APPLY = 0, APPLY_DOT = 1, RESIDUAL = 2;
    private static final int PAD = 8;   // a part's dot a cache line from the next

    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;
    /** The step's operation and arguments (y is r for RESIDUAL); written before the step, read by every part. */
    int op;
    double[] x, y, b;

    PartitionedOperator(WorkerPool pool, RowPartition partition) {
        this.pool = pool;
        this.partition = partition;
        this.partial = new double[partition.parts() * PAD];
    }

    /** The row partition, for vector kernels that should follow it. */
    public final RowPartition partition() { return partition; }

    /** Records part {@code part}'s share of xᵀ(A·x). */
    final void partDot(int part, double d) {
        partial[part * PAD] = d;
    }

    private void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
    }

    @Override
    public final void apply(double[] x, double[] y) {
        op = APPLY; this.x = x; this.y = y;
        step();
    }

    @Override
    public final double applyDot(double[] x, double[] y) {
        op = APPLY_DOT; this.x = x; this.y = y;
        step();
        double s = 0;
        for (int p = 0; p < partition.parts(); p++) s += partial[p * PAD];
        return s;
    }

    @Override
    public final void residual(double[] x, double[] b, double[] r) {
        op = RESIDUAL; this.x = x; this.b = b; this.y = r;
        step();
    }
}
