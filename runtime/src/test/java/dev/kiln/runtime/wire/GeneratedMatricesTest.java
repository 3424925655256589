package dev.kiln.runtime.wire;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Generated matrices kept by spec: built once, bounded by total non-zeros, least recently used out first. */
class GeneratedMatricesTest {
    /** nnz of 2-D Poisson on an n × n grid: 5 per point minus 4 per boundary edge point. */
    private static int poissonNnz(int n) {
        return 5 * n * n - 4 * n;
    }

    @Test
    void aSpecIsBuiltOnceAndSharedAfterwards() {
        GeneratedMatrices kept = new GeneratedMatrices(1_000);
        AtomicInteger builds = new AtomicInteger();
        CsrMatrix a = kept.get("p/4", () -> { builds.incrementAndGet(); return PoissonGenerator.poisson2d(4, 4); });
        CsrMatrix b = kept.get("p/4", () -> { builds.incrementAndGet(); return PoissonGenerator.poisson2d(4, 4); });
        assertSame(a, b);
        assertEquals(1, builds.get());
        assertEquals(poissonNnz(4), a.nnz(), "the helper's count is right, so the bounds below mean what they say");
    }

    @Test
    void aMatrixOverTheBoundIsBuiltButNotKept() {
        GeneratedMatrices kept = new GeneratedMatrices(poissonNnz(4) - 1);
        CsrMatrix a = kept.get("p/4", () -> PoissonGenerator.poisson2d(4, 4));
        CsrMatrix b = kept.get("p/4", () -> PoissonGenerator.poisson2d(4, 4));
        assertNotSame(a, b);
        assertEquals(0, kept.size());
    }

    @Test
    void theLeastRecentlyUsedGoesFirstWhenTheBoundIsPassed() {
        // Room for two 4 × 4 Poisson matrices (64 nnz each), not three.
        GeneratedMatrices kept = new GeneratedMatrices(2L * poissonNnz(4) + poissonNnz(4) / 2);
        CsrMatrix one = kept.get("one", () -> PoissonGenerator.poisson2d(4, 4));
        CsrMatrix two = kept.get("two", () -> PoissonGenerator.poisson2d(4, 4));
        assertSame(one, kept.get("one", () -> PoissonGenerator.poisson2d(4, 4)), "touch one: two is now the oldest");
        kept.get("three", () -> PoissonGenerator.poisson2d(4, 4));
        assertEquals(2, kept.size());
        assertSame(one, kept.get("one", () -> PoissonGenerator.poisson2d(4, 4)));
        assertNotSame(two, kept.get("two", () -> PoissonGenerator.poisson2d(4, 4)), "two was evicted and is built again");
    }
}
