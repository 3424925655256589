package dev.kiln.deploy.bench.routing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cores busy over a pass, this process's and everything else's on the machine ({@code /proc/stat}
 * minus the process's CPU time): on a shared machine the second says how much of a latency tail
 * other work may have caused. NaN where {@code /proc/stat} cannot be read.
 */
final class MachineCpu {
    /** Jiffies per second of /proc/stat (USER_HZ; 100 on every Linux ABI Kiln runs on). */
    static final double USER_HZ = 100;

    private final long wallNs;
    private final long busyJiffies;
    private final long processNs;

    private MachineCpu(long wallNs, long busyJiffies, long processNs) {
        this.wallNs = wallNs;
        this.busyJiffies = busyJiffies;
        this.processNs = processNs;
    }

    static MachineCpu start() {
        return new MachineCpu(System.nanoTime(), busyJiffies(), processCpuNs());
    }

    /** {cores this process kept busy, cores the rest of the machine kept busy} since {@link #start()}. */
    double[] coresSinceStart() {
        double wallS = (System.nanoTime() - wallNs) / 1e9;
        long busy = busyJiffies();
        double process = (processCpuNs() - processNs) / 1e9 / wallS;
        if (busy < 0 || busyJiffies < 0) return new double[] {process, Double.NaN};
        double machine = (busy - busyJiffies) / USER_HZ / wallS;
        return new double[] {process, Math.max(0, machine - process)};
    }

    /**
     * The first line of /proc/stat: user nice system idle iowait irq softirq steal ...; busy is
     * everything but idle and iowait. -1 when unreadable.
     */
    static long busyJiffies(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 5 || !f[0].equals("cpu")) return -1;
        long busy = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            if (i == 4 || i == 5) continue; // idle, iowait
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    private static long busyJiffies() {
        try {
            return busyJiffies(Files.readAllLines(Path.of("/proc/stat")).getFirst());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long processCpuNs() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }
}
