package dev.kiln.deploy.bench.routing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of the JIT's compiler threads, ms, from {@code /proc/self/task/<tid>/stat} (HotSpot
 * names them "C1 CompilerThread0", "C2 CompilerThread0", …, cut to 15 characters there; they are
 * not Java threads, so {@code ThreadMXBean} does not see them).
 *
 * <p>Why CPU and not {@code CompilationMXBean.getTotalCompilationTime()}: that one adds up the
 * wall time of compile tasks, so on a saturated machine a starved C2 thread looked like a JIT
 * busy 97 % of a 20-s pass whatever it really used (measured here, 29 Nov: {@code paced_jit_ms}
 * 19 400–20 800 ms in every run, while /proc gave the C2 thread 12.4–13.1 s of CPU).
 */
final class CompilerCpu {
    private CompilerCpu() { }

    /**
     * The compiler threads' CPU since the JVM started, ms; where {@code /proc} cannot be read,
     * the MXBean's compile time (wall time, see above), or -1 when the JVM does not say either.
     */
    static long ms() {
        long ticks = 0;
        boolean found = false;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                if (!isCompiler(stat)) continue;
                ticks += cpuTicks(stat);
                found = true;
            }
        } catch (IOException | RuntimeException e) {
            found = false;
        }
        if (found) return Math.round(ticks * 1000 / MachineCpu.USER_HZ);
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** Whether a {@code /proc/<pid>/task/<tid>/stat} line is one of HotSpot's compiler threads. */
    static boolean isCompiler(String stat) {
        String comm = comm(stat);
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    /** utime + stime of a stat line, in USER_HZ ticks. */
    static long cpuTicks(String stat) {
        // After "(comm) " come state (field 3), ..., utime (14) and stime (15); comm may hold spaces and ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String comm(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }
}
