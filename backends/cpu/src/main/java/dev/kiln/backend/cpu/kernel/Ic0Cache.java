package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IC(0) factors with their level schedules ({@link LevelScheduledIc0}), keyed by the matrix's
 * {@link CsrMatrix#fingerprint()} and the number of parts, so a family of jobs on one matrix
 * factorises and schedules it once. Least recently used first out, bounded by the bytes the
 * factors hold. A factorisation that fails (not SPD) is not cached: it throws each time.
 * Thread-safe; factorises outside the lock.
 */
public final class Ic0Cache {
    /** 400 MB: a third of {@link SellCache#MAX_BYTES}, since a factor holds about twice A's lower half. */
    static final long MAX_BYTES = 400_000_000L;

    private static final Ic0Cache SHARED = new Ic0Cache();

    private final LinkedHashMap<String, LevelScheduledIc0> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public static Ic0Cache shared() { return SHARED; }

    /** A's IC(0) factor scheduled over {@code parts} threads. */
    public LevelScheduledIc0 get(CsrMatrix a, int parts) {
        String key = a.fingerprint() + "/" + parts;
        synchronized (this) {
            LevelScheduledIc0 f = map.get(key);
            if (f != null) return f;
        }
        LevelScheduledIc0 f = LevelScheduledIc0.of(a, parts);
        synchronized (this) {
            LevelScheduledIc0 prior = map.putIfAbsent(key, f);
            if (prior != null) return prior;
            bytes += f.bytes();
            var it = map.entrySet().iterator();
            while (bytes > MAX_BYTES && it.hasNext()) {
                Map.Entry<String, LevelScheduledIc0> e = it.next();
                if (e.getValue() == f) continue;
                bytes -= e.getValue().bytes();
                it.remove();
            }
            return f;
        }
    }

    public synchronized int size() { return map.size(); }
}
