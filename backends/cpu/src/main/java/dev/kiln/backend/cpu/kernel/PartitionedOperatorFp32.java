package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.SparseOperatorFp32;

/**
 * {@link PartitionedOperator} for the fp32 products (SELL-C-σ, DIA): the step's vectors in
 * fields, one thread or the pool by a fixed partition, the parts' fp64 dots summed in part order.
 * A subclass's {@link #run} ends with {@link #partDot}.
 *
 * <p>One instance per solve; not thread-safe.
 */
abstract class PartitionedOperatorFp32 implements SparseOperatorFp32, WorkerPool.Task {
    private static final int PAD = 8;

    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;
    float[] x, y;

    PartitionedOperatorFp32(WorkerPool pool, RowPartition partition) {
        this.pool = pool;
        this.partition = partition;
        this.partial = new double[partition.parts() * PAD];
    }

    public final RowPartition partition() { return partition; }

    final void partDot(int part, double d) {
        partial[part * PAD] = d;
    }

    private void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
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
        double s = 0;
        for (int p = 0; p < partition.parts(); p++) s += partial[p * PAD];
        return s;
    }
}
