package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Converted SELL-C-σ matrices (fp64, and their fp32 copies) keyed by the CSR matrix's
 * {@link CsrMatrix#fingerprint()}, so a stream of jobs on the same matrix (a family re-solved
 * with new right-hand sides) converts it once. Least recently used first out, bounded by the
 * bytes the conversions hold ({@link #MAX_BYTES}), since heap, not count, is the limit that
 * matters. Thread-safe.
 */
public final class SellCache {
    /** 1.2 GB: 10⁸ fp64 entries of 12 bytes, a tenth of a 12 GiB heap. */
    static final long MAX_BYTES = 1_200_000_000L;

    private static final SellCache SHARED = new SellCache();

    private final LinkedHashMap<String, Object> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public static SellCache shared() { return SHARED; }

    /** A's SELL-C-σ conversion with chunk size c and sort window sigma. */
    public SellMatrix get(CsrMatrix a, int c, int sigma) {
        return get(a, a.fingerprint(), c, sigma);
    }

    /**
     * As {@link #get(CsrMatrix, int, int)} under a key the caller vouches identifies A (a renumbering
     * of a fingerprinted matrix: hashing A itself cost ≈ 0.1 s of a cold IC(0) set-up on Poisson 512²).
     */
    SellMatrix get(CsrMatrix a, String key, int c, int sigma) {
        return get(key + "/" + c + "/" + sigma, () -> SellMatrix.of(a, c, sigma), SellMatrix.class);
    }

    /** The same conversion with fp32 values (converting the fp64 one first when absent). */
    public SellMatrixFp32 getFp32(CsrMatrix a, int c, int sigma) {
        return get(a.fingerprint() + "/" + c + "/" + sigma + "/fp32", () -> get(a, c, sigma).toFp32(), SellMatrixFp32.class);
    }

    private <T> T get(String key, Supplier<T> convert, Class<T> type) {
        synchronized (this) {
            Object m = map.get(key);
            if (m != null) return type.cast(m);
        }
        T m = convert.get();                                  // convert outside the lock
        synchronized (this) {
            Object prior = map.putIfAbsent(key, m);
            if (prior != null) return type.cast(prior);
            bytes += bytes(m);
            var it = map.entrySet().iterator();
            while (bytes > MAX_BYTES && it.hasNext()) {
                Map.Entry<String, Object> e = it.next();
                if (e.getValue() == m) continue;
                bytes -= bytes(e.getValue());
                it.remove();
            }
            return m;
        }
    }

    private static long bytes(Object o) {
        if (o instanceof SellMatrix s) return 12L * s.values.length;
        return 4L * ((SellMatrixFp32) o).values.length;
    }

    public synchronized int size() { return map.size(); }
}
