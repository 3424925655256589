package dev.kiln.runtime.wire;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Matrices built from a {@code generator} spec, by that spec, so a stream of jobs naming the same
 * generated matrix shares one {@link CsrMatrix}: what the matrix remembers of itself (its
 * fingerprint, its symmetry) and what backends cache by its fingerprint (SELL conversion,
 * device uploads) is then computed once instead of per job. Regenerating 2-D Poisson 4² and
 * hashing it with SHA-256 for the OpenCL backend's upload check was among the largest costs of
 * the Kafka poll thread per tiny job (measured here: JFR of {@code ./kiln bench routing --quick
 * --case tiny}). Sharing is safe for the same reason uploaded matrices are shared between jobs
 * ({@code problem.matrix.ref}): backends never write to a job's matrix.
 *
 * <p>Bounded by total non-zeros, least recently used first; a matrix over the bound is built
 * but not kept. Thread-safe (decoding runs on event loops and the Kafka poll thread).
 */
final class GeneratedMatrices {
    private final long maxTotalNnz;
    private final LinkedHashMap<String, CsrMatrix> bySpec = new LinkedHashMap<>(16, 0.75f, true);
    private long totalNnz;

    GeneratedMatrices(long maxTotalNnz) {
        this.maxTotalNnz = maxTotalNnz;
    }

    /**
     * The matrix of {@code spec} (a canonical text of the generator and its parameters), built by
     * {@code generate} when not kept. Two threads missing at once both build; the first kept wins.
     */
    CsrMatrix get(String spec, Supplier<CsrMatrix> generate) {
        synchronized (this) {
            CsrMatrix m = bySpec.get(spec);
            if (m != null) return m;
        }
        CsrMatrix built = generate.get(); // outside the lock: a large generation must not stall other decoders
        if (built.nnz() > maxTotalNnz) return built;
        synchronized (this) {
            CsrMatrix kept = bySpec.putIfAbsent(spec, built);
            if (kept != null) return kept;
            totalNnz += built.nnz();
            Iterator<Map.Entry<String, CsrMatrix>> it = bySpec.entrySet().iterator();
            while (totalNnz > maxTotalNnz && it.hasNext()) {
                Map.Entry<String, CsrMatrix> e = it.next();
                if (e.getKey().equals(spec)) continue;
                totalNnz -= e.getValue().nnz();
                it.remove();
            }
            return built;
        }
    }

    synchronized int size() { return bySpec.size(); }
}
