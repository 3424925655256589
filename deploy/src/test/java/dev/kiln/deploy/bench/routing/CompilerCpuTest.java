package dev.kiln.deploy.bench.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the JIT compiler threads' CPU from /proc/<pid>/task/<tid>/stat lines. */
class CompilerCpuTest {
    // Lines as Linux writes them (fields 14 and 15 are utime and stime), from a bench run's JVM.
    private static final String C2 = "3056 (C2 CompilerThre) S 3044 3044 3044 0 -1 1077936192 5765 0 0 0 2401 120 0 0 20 0 27 0 1001 0 0";
    private static final String C1 = "3057 (C1 CompilerThre) S 3044 3044 3044 0 -1 1077936192 2213 0 0 0 430 36 0 0 20 0 27 0 1001 0 0";
    private static final String ODD = "4000 (a (b) c) x) R 3044 3044 3044 0 -1 1077936192 1 0 0 0 7 5 0 0 20 0 27 0 1001 0 0";
    private static final String GC = "3047 (GC Thread#0) S 3044 3044 3044 0 -1 1077936192 100 0 0 0 50 6 0 0 20 0 27 0 1001 0 0";

    @Test
    void utimePlusStimeAreTheFourteenthAndFifteenthFields() {
        assertEquals(2401 + 120, CompilerCpu.cpuTicks(C2));
        assertEquals(430 + 36, CompilerCpu.cpuTicks(C1));
    }

    @Test
    void aThreadNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        assertEquals(12, CompilerCpu.cpuTicks(ODD));
        assertFalse(CompilerCpu.isCompiler(ODD));
    }

    @Test
    void onlyTheC1AndC2CompilerThreadsCount() {
        assertTrue(CompilerCpu.isCompiler(C2));
        assertTrue(CompilerCpu.isCompiler(C1));
        assertFalse(CompilerCpu.isCompiler(GC));
    }

    @Test
    void thisJvmsCompilersHaveUsedSomeCpuByNow() {
        // JUnit's start-up alone has the compilers compile hundreds of methods, so some 10-ms ticks have passed.
        long ms = CompilerCpu.ms();
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertTrue(ms > 0, "compiler CPU " + ms);
        } else {
            assertTrue(ms >= -1, "compiler time " + ms);
        }
    }
}
