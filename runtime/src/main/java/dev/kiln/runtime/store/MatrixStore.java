package dev.kiln.runtime.store;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Uploaded matrices, addressed by content ({@link CsrMatrix#fingerprint()}), so a ref names
 * exactly one matrix and no client-supplied string ever touches the filesystem. Bounded by
 * total stored non-zeros; the least recently used matrices go first.
 *
 * <p>Thread-safe; every method is cheap and may run on an event loop.
 */
public final class MatrixStore {
    private final long maxTotalNnz;
    private final LinkedHashMap<String, CsrMatrix> byRef = new LinkedHashMap<>(16, 0.75f, true);
    private long totalNnz;

    public MatrixStore(long maxTotalNnz) {
        this.maxTotalNnz = maxTotalNnz;
    }

    /** Stores the matrix and returns its ref (idempotent for equal content). */
    public synchronized String put(CsrMatrix m) {
        String ref = m.fingerprint();
        if (byRef.containsKey(ref)) return ref;
        byRef.put(ref, m);
        totalNnz += m.nnz();
        Iterator<Map.Entry<String, CsrMatrix>> it = byRef.entrySet().iterator();
        while (totalNnz > maxTotalNnz && it.hasNext()) {
            Map.Entry<String, CsrMatrix> e = it.next();
            if (e.getKey().equals(ref)) continue;
            totalNnz -= e.getValue().nnz();
            it.remove();
        }
        return ref;
    }

    public synchronized Optional<CsrMatrix> get(String ref) {
        return Optional.ofNullable(byRef.get(ref));
    }

    public synchronized int size() { return byRef.size(); }
}
