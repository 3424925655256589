package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Converted matrices — SELL-C-σ and DIA, fp64 and their fp32 copies, and the verdict that a
 * matrix has no DIA form — keyed by the CSR matrix's {@link CsrMatrix#fingerprint()}, so a
 * stream of jobs on the same matrix (a family re-solved with new right-hand sides) converts it
 * once. Least recently used first out, bounded by the
 * bytes the conversions hold ({@link #MAX_BYTES}), since heap, not count, is the limit that
 * matters. Thread-safe.
 */
public final class ConversionCache {
    /** 1.2 GB: 10⁸ fp64 entries of 12 bytes, a tenth of a 12 GiB heap. */
    static final long MAX_BYTES = 1_200_000_000L;

    private static final ConversionCache SHARED = new ConversionCache();

    private final LinkedHashMap<String, Object> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public static ConversionCache shared() { return SHARED; }

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

    /** A's DIA conversion, or null when A is not a few-diagonal matrix (that verdict cached too). */
    public DiagonalMatrix getDiagonal(CsrMatrix a) {
        return getDiagonal(a, a.fingerprint());
    }

    /** As {@link #getDiagonal(CsrMatrix)} under a key the caller vouches identifies A. */
    DiagonalMatrix getDiagonal(CsrMatrix a, String key) {
        Object m = get(key + "/dia", () -> {
            DiagonalMatrix d = DiagonalMatrix.of(a);
            return d == null ? NOT_DIAGONAL : d;
        }, Object.class);
        return m == NOT_DIAGONAL ? null : (DiagonalMatrix) m;
    }

    /** The DIA conversion with fp32 values, or null when A has none. */
    public DiagonalMatrixFp32 getDiagonalFp32(CsrMatrix a) {
        DiagonalMatrix d = getDiagonal(a);
        return d == null ? null : get(a.fingerprint() + "/dia/fp32", d::toFp32, DiagonalMatrixFp32.class);
    }

    /** Cached for a matrix with no DIA form, so the offset scan is not repeated per job. */
    private static final Object NOT_DIAGONAL = new Object();

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
        if (o instanceof SellMatrixFp32 s) return 4L * s.values.length;
        if (o instanceof DiagonalMatrix d) return 8L * d.values.length;
        if (o instanceof DiagonalMatrixFp32 d) return 4L * d.values.length;
        return 0;
    }

    public synchronized int size() { return map.size(); }

    /**
     * Drops the conversions of the renumbered P·A·Pᵀ that A's IC(0) set-ups made (level order,
     * interface last; {@link LevelScheduledIc0#permutedKey}), not A's own. For a benchmark whose
     * every repetition must pay the whole set-up again, as a peer's fresh factorisation does.
     * Returns how many were dropped.
     */
    public synchronized int removeIc0Renumberings(CsrMatrix a) {
        String prefix = LevelScheduledIc0.renumberedKeyPrefix(a);
        int removed = 0;
        for (var it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Object> e = it.next();
            if (!e.getKey().startsWith(prefix)) continue;
            bytes -= bytes(e.getValue());
            it.remove();
            removed++;
        }
        return removed;
    }
}
