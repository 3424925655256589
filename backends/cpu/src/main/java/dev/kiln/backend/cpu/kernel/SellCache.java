package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converted SELL-C-σ matrices keyed by the CSR matrix's {@link CsrMatrix#fingerprint()}, so a
 * stream of jobs on the same matrix (a family re-solved with new right-hand sides) converts it
 * once. Least recently used first out, bounded by stored entries ({@link #MAX_ENTRIES} total
 * non-zeros ≈ 1.2 GB of values and indices), since heap, not count, is the limit that matters.
 * Thread-safe.
 */
public final class SellCache {
    /** 10⁸ stored entries (12 bytes each): a tenth of a 12 GiB heap. */
    static final long MAX_ENTRIES = 100_000_000L;

    private static final SellCache SHARED = new SellCache();

    private final LinkedHashMap<String, SellMatrix> map = new LinkedHashMap<>(16, 0.75f, true);
    private long entries;

    public static SellCache shared() { return SHARED; }

    public SellMatrix get(CsrMatrix a, int c, int sigma) {
        String key = a.fingerprint() + "/" + c + "/" + sigma;
        synchronized (this) {
            SellMatrix m = map.get(key);
            if (m != null) return m;
        }
        SellMatrix m = SellMatrix.of(a, c, sigma);      // convert outside the lock
        synchronized (this) {
            SellMatrix prior = map.putIfAbsent(key, m);
            if (prior != null) return prior;
            entries += m.values.length;
            var it = map.entrySet().iterator();
            while (entries > MAX_ENTRIES && it.hasNext()) {
                Map.Entry<String, SellMatrix> e = it.next();
                if (e.getValue() == m) continue;
                entries -= e.getValue().values.length;
                it.remove();
            }
            return m;
        }
    }

    public synchronized int size() { return map.size(); }
}
