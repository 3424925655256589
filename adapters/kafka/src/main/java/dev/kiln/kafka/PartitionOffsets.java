package dev.kiln.kafka;

import java.util.TreeSet;

/**
 * Which offsets of one partition are taken but not yet answered, so the committed offset
 * never passes an unanswered job (at-least-once: Kafka's "commit the next offset after the
 * work is done"). Jobs finish out of order; the committable offset is the lowest pending one,
 * or one past the highest seen when nothing is pending.
 *
 * <p>Used only on the poll thread.
 */
final class PartitionOffsets {
    private final TreeSet<Long> pending = new TreeSet<>();
    private long nextAfterSeen = -1;
    private long committed = -1;

    void taken(long offset) {
        pending.add(offset);
        nextAfterSeen = Math.max(nextAfterSeen, offset + 1);
    }

    void answered(long offset) {
        pending.remove(offset);
    }

    int pendingCount() { return pending.size(); }

    /** The offset to commit, or -1 when nothing was taken. */
    long committable() {
        if (!pending.isEmpty()) return pending.first();
        return nextAfterSeen;
    }

    /** True when {@link #committable()} moved since the last {@link #markCommitted}. */
    boolean dirty() {
        long c = committable();
        return c >= 0 && c != committed;
    }

    void markCommitted(long offset) { committed = offset; }

    /** A commit of {@code offset} failed: dirty again, unless a later commit has already been made. */
    void commitFailed(long offset) {
        if (committed == offset) committed = Long.MIN_VALUE;
    }
}
