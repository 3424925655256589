package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperatorFp32;

/**
 * {@link PartitionedOperator} for the fp32 products (SELL-C-σ, DIA): the step's vectors in fields,
 * run as a {@link PartitionedStep}. A subclass's {@link #run} ends with {@link #partDot}.
 *
 * <p>One instance per solve; not thread-safe.
 */
abstract class PartitionedOperatorFp32 extends PartitionedStep implements SparseOperatorFp32 {
    float[] x, y;

    PartitionedOperatorFp32(WorkerPool pool, RowPartition partition) {
        super(pool, partition);
    }

    @Override
    public final void apply(float[] x, float[] y) {
        this.x = x; this.y = y;
        step();
    }

    @Override
    public final double applyDot(float[] x, float[] y) {
        this.x = x; this.y = y;
        step();
        return dot();
    }
}
