package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperator;

/**
 * What every fp64 CPU product (CSR, SELL-C-σ, DIA) does around its kernels: carries a step's
 * operation and arguments in fields and runs it as a {@link PartitionedStep}. A subclass's
 * {@link #run} picks its kernel by {@link #op} and ends with {@link #partDot}.
 *
 * <p>One instance per solve (the step's arguments are fields); not thread-safe.
 */
abstract class PartitionedOperator extends PartitionedStep implements SparseOperator {
    static final int APPLY = 0, APPLY_DOT = 1, RESIDUAL = 2;

    /** The step's operation and arguments (y is r for RESIDUAL); written before the step, read by every part. */
    int op;
    double[] x, y, b;

    PartitionedOperator(WorkerPool pool, RowPartition partition) {
        super(pool, partition);
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
        return dot();
    }

    @Override
    public final void residual(double[] x, double[] b, double[] r) {
        op = RESIDUAL; this.x = x; this.b = b; this.y = r;
        step();
    }
}
