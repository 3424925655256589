package dev.kiln.runtime.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Jobs known to this process, by id: live ones always, finished ones until they are older
 * than the TTL or the store holds more than {@code maxFinished} of them (oldest first).
 * Bounded, so a long stream cannot exhaust memory; results outlive the store on Kafka.
 *
 * <p>Thread-safe; an insert is O(1) amortised (see {@link #evict}), so it may run on an
 * event loop.
 */
public final class JobStore {
    private final int maxFinished;
    private final long ttlNanos;
    private final LinkedHashMap<String, JobRecord> byId = new LinkedHashMap<>();

    public JobStore(int maxFinished, long ttlMs) {
        this.maxFinished = maxFinished;
        // Saturate: a TTL meant as "forever" (e.g. Long.MAX_VALUE) must not overflow into "already expired".
        this.ttlNanos = ttlMs > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : ttlMs * 1_000_000L;
    }

    /**
     * Inserts the record unless a record with its id exists; returns the record that is
     * stored under the id afterwards (the existing one for a duplicate submission).
     */
    public synchronized JobRecord putIfAbsent(JobRecord r) {
        evict(System.nanoTime());
        JobRecord existing = byId.putIfAbsent(r.id(), r);
        return existing == null ? r : existing;
    }

    public synchronized Optional<JobRecord> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public synchronized int size() { return byId.size(); }

    /**
     * Up to {@code limit} records, newest first. Insertion order is acceptance order, so this
     * walks the map from its tail and stops after {@code limit} records.
     */
    public synchronized List<JobRecord> newest(int limit) {
        List<JobRecord> out = new ArrayList<>(Math.min(Math.max(limit, 0), byId.size()));
        for (JobRecord r : byId.sequencedValues().reversed()) {
            if (out.size() >= limit) break;
            out.add(r);
        }
        return out;
    }

    /** Removes exactly this record (not a newer one under the same id). */
    public synchronized void remove(JobRecord r) {
        byId.remove(r.id(), r);
    }

    private void evict(long now) {
        // Counting the finished records is a scan of the whole store: done only when the store is
        // over the bound, and then it evicts 1/16 below it, so the scan runs once per
        // maxFinished/16 inserts. A scan per insert took a third of the Kafka poll thread at
        // 10 000 records (measured here: JFR of ./kiln bench routing --quick --case tiny).
        int finished = 0;
        int keep = maxFinished;
        if (byId.size() > maxFinished) {
            for (JobRecord r : byId.values()) if (r.status().terminal()) finished++;
            if (finished > maxFinished) keep = maxFinished - maxFinished / 16;
        }
        Iterator<Map.Entry<String, JobRecord>> it = byId.entrySet().iterator();
        while (it.hasNext()) {
            JobRecord r = it.next().getValue();
            if (!r.status().terminal()) continue;
            boolean expired = now - r.acceptedNanos() > ttlNanos;
            if (expired || finished > keep) {
                it.remove();
                finished--;
            } else {
                break; // insertion order ≈ age: the rest are younger
            }
        }
    }
}
