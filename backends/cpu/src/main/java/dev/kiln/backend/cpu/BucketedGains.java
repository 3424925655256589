package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * A QUBO assignment x with integer local fields fᵢ = aᵢ + Σⱼ bᵢⱼxⱼ whose one-flip energy changes
 * ΔEᵢ = (1 − 2xᵢ)·fᵢ are kept sorted in a bucket array, one doubly linked list per value of ΔE,
 * so the lowest ΔE is found in O(1) amortised and a flip costs O(degree) (each neighbour moves to
 * its new bucket in O(1)). This is the gain-bucket structure of Fiduccia and Mattheyses ("A
 * linear-time heuristic for improving network partitions", DAC 1982, §III) that Breakout Local
 * Search uses for its Max-Cut move gains (Benlic &amp; Hao 2013, §3.2, "bucket sorting"). It only
 * applies when every weight is an integer, so ΔE takes the 2B + 1 values −B..B with
 * B = maxᵢ(|aᵢ| + Σⱼ|bᵢⱼ|) ({@link #fits}).
 *
 * <p>Within a bucket a variable that changes bucket is put at the head, so ties go to the variable
 * whose ΔE changed last (a flip's neighbourhood): deterministic, and no random draw per move.
 *
 * <p>Not thread-safe; allocation-free after construction. Arrays are read directly by
 * {@link BreakoutLocalSearch}'s loops and changed only through {@link #load} and {@link #flip}.
 */
final class BucketedGains {
    /**
     * Largest B accepted: the bucket array has 2B + 1 ints, so 2²⁰ keeps it at 8 MiB per worker;
     * integer Max-Cut and Beasley-type instances are far below (G-set: B ≤ 2·degree + degree,
     * bqp500: about 10⁴; computed by {@link #maxGain}).
     */
    static final int MAX_GAIN = 1 << 20;

    final int n;
    final byte[] x;
    final int[] field;
    /** Energy without the problem's offset, as {@link LocalFields} keeps it. */
    long energy;
    private final int[] linear;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final int[] coupling;
    /** ΔE + {@link #bias} of each variable: its bucket. */
    final int[] bucketOf;
    /**
     * Circular doubly linked bucket lists over n + 2B + 1 nodes: nodes 0..n−1 are the variables,
     * node n + b is bucket b's sentinel, so linking and unlinking need no branches (a bucket is
     * empty when its sentinel's next is itself; walking a bucket stops at the first node ≥ n).
     */
    final int[] next;
    private final int[] prev;
    /** Buckets: 2B + 1. */
    final int buckets;
    /** Offset from ΔE to bucket index: B. */
    final int bias;
    /** No non-empty bucket lies below this index (lowered on insert, raised lazily by {@link #lowestBucket}). */
    private int lowest;

    /** Whether {@code q}'s weights are all integers with B ≤ {@link #MAX_GAIN}, so the buckets apply. */
    static boolean fits(QuboProblem q) {
        for (double v : q.linear()) if (v != Math.rint(v)) return false;
        for (double v : q.coupling()) if (v != Math.rint(v)) return false;
        return q.maxAbsField() <= MAX_GAIN;
    }

    BucketedGains(QuboProblem q) {
        if (!fits(q)) throw new IllegalArgumentException("bucketed gains need integer weights with max |a_i| + sum |b_ij| <= " + MAX_GAIN);
        this.n = q.n();
        this.rowPtr = q.rowPtr();
        this.colIdx = q.colIdx();
        this.linear = new int[n];
        for (int i = 0; i < n; i++) linear[i] = (int) q.linear()[i];
        this.coupling = new int[colIdx.length];
        for (int k = 0; k < coupling.length; k++) coupling[k] = (int) q.coupling()[k];
        this.bias = (int) q.maxAbsField();
        this.x = new byte[n];
        this.field = new int[n];
        this.bucketOf = new int[n];
        this.buckets = 2 * bias + 1;
        this.next = new int[n + buckets];
        this.prev = new int[n + buckets];
    }

    /** Fields, energy and buckets from x, after x was written wholesale. O(n + nnz + B). */
    void load() {
        long linearOn = 0;
        long pairsTwice = 0; // Σ_{xᵢ=1} Σⱼ bᵢⱼxⱼ counts each pair i<j twice
        for (int i = 0; i < n; i++) {
            int f = linear[i];
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) f += coupling[k] * x[colIdx[k]];
            field[i] = f;
            if (x[i] != 0) {
                linearOn += linear[i];
                pairsTwice += f - linear[i];
            }
        }
        energy = linearOn + pairsTwice / 2;
        for (int s = n; s < n + buckets; s++) {
            next[s] = s;
            prev[s] = s;
        }
        for (int i = n - 1; i >= 0; i--) insert(i, delta(i) + bias);
        lowest = 0;
    }

    /** ΔEᵢ of flipping xᵢ now. */
    int delta(int i) { return x[i] == 0 ? field[i] : -field[i]; }

    /** The lowest non-empty bucket's index (ΔE + {@link #bias}); every variable is in some bucket. */
    int lowestBucket() {
        while (next[n + lowest] >= n) lowest++;
        return lowest;
    }

    /** The first variable of bucket b, or a value ≥ n when it is empty. */
    int first(int b) { return next[n + b]; }

    /** Flips xᵢ and moves it and its neighbours to their new buckets. */
    void flip(int i) {
        int d = delta(i);
        energy += d;
        byte xi = (byte) (x[i] ^ 1);
        x[i] = xi;
        move(i, -d + bias);
        int end = rowPtr[i + 1];
        int sign = xi == 1 ? 1 : -1;
        for (int k = rowPtr[i]; k < end; k++) {
            int j = colIdx[k];
            int f = field[j] + sign * coupling[k];
            field[j] = f;
            move(j, (x[j] == 0 ? f : -f) + bias);
        }
    }

    private void move(int v, int bucket) {
        int p = prev[v];
        int nx = next[v];
        next[p] = nx;
        prev[nx] = p;
        insert(v, bucket);
    }

    /** Links v in as bucket's first variable (after its sentinel). */
    private void insert(int v, int bucket) {
        int s = n + bucket;
        int h = next[s];
        next[v] = h;
        prev[v] = s;
        prev[h] = v;
        next[s] = v;
        bucketOf[v] = bucket;
        lowest = Math.min(lowest, bucket);
    }
}
