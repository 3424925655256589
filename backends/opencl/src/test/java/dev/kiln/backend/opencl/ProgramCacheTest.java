package dev.kiln.backend.opencl;

import org.jocl.cl_program;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cache's retry and memory of failures, with a compiler that needs no device. */
class ProgramCacheTest {

    /** Fails the first {@code failures} builds, then returns a fresh program each time; counts calls. */
    static final class CountingCompiler implements ProgramCache.Compiler {
        final List<String> calls = new ArrayList<>();
        int failures;

        CountingCompiler(int failures) { this.failures = failures; }

        @Override
        public cl_program build(String name, String options) {
            calls.add(name + " " + options);
            if (failures-- > 0) throw new KernelBuildException(name, options, "CL_BUILD_PROGRAM_FAILURE", "unable to rename temporary");
            return new cl_program();
        }
    }

    @Test
    void aBuildThatFailsOnceIsTriedAgainAndThenCached() {
        CountingCompiler c = new CountingCompiler(1);
        ProgramCache cache = new ProgramCache(c);
        cl_program p = cache.get("cg.cl", "-D WG=128");
        assertEquals(2, c.calls.size(), "one failure, one retry");
        assertSame(p, cache.get("cg.cl", "-D WG=128"), "built once, then from the cache");
        assertEquals(2, c.calls.size());
    }

    @Test
    void aBuildThatFailsTwiceIsRememberedAsFailed() {
        CountingCompiler c = new CountingCompiler(Integer.MAX_VALUE);
        ProgramCache cache = new ProgramCache(c);
        KernelBuildException e = assertThrows(KernelBuildException.class, () -> cache.get("cg.cl", "-D WG=64"));
        assertEquals(2, c.calls.size());
        assertSame(e, assertThrows(KernelBuildException.class, () -> cache.get("cg.cl", "-D WG=64")), "no third compile");
        assertEquals(2, c.calls.size());
        assertThrows(KernelBuildException.class, () -> cache.get("cg.cl", "-D WG=32"));   // other options: their own entry, own two tries
        assertEquals(4, c.calls.size());
    }
}
