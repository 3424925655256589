package dev.kiln.backend.cpu.kernel;

/**
 * One data-parallel step over a fixed {@link RowPartition}: run on the caller's thread when there
 * is one part, else on the {@link WorkerPool}; each part records its share of a dot product and
 * the shares are summed in part order, so the result does not depend on which thread ran which
 * part. The base of the fp64 and fp32 products ({@link PartitionedOperator},
 * {@link PartitionedOperatorFp32}), which add their typed arguments.
 *
 * <p>Not thread-safe: one step at a time.
 */
abstract class PartitionedStep implements WorkerPool.Task {
    private static final int PAD = 8;   // a part's dot a cache line from the next

    private final WorkerPool pool;
    private final RowPartition partition;
    private final double[] partial;

    PartitionedStep(WorkerPool pool, RowPartition partition) {
        this.pool = pool;
        this.partition = partition;
        this.partial = new double[partition.parts() * PAD];
    }

    /** The row partition, for vector kernels that should follow it. */
    public final RowPartition partition() { return partition; }

    /** Records part {@code part}'s share of the step's dot product. */
    final void partDot(int part, double d) {
        partial[part * PAD] = d;
    }

    /** Runs {@link #run} for every part. */
    final void step() {
        if (partition.parts() == 1) run(0);
        else pool.run(this);
    }

    /** The parts' shares of the last step's dot product, summed in part order. */
    final double dot() {
        double s = 0;
        for (int p = 0; p < partition.parts(); p++) s += partial[p * PAD];
        return s;
    }
}
