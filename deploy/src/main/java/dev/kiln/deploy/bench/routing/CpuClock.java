package dev.kiln.deploy.bench.routing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time consumed over a pass, for the whole process and for Kiln's Kafka poll thread
 * (the one thread every job goes through in order). Unlike jobs/s, CPU time per job hardly
 * depends on what else the shared machine runs, so it compares builds on a loaded machine;
 * 1 s ÷ the poll thread's time per job bounds the throughput of one replica.
 */
final class CpuClock {
    /** The adapter's poll thread, named in KafkaJobAdapter. */
    static final String POLL_THREAD = "kiln-kafka-poll";

    private final long processNs;
    private final long pollNs;
    private final java.util.Map<Long, Long> threadNs;

    private CpuClock(long processNs, long pollNs, java.util.Map<Long, Long> threadNs) {
        this.processNs = processNs;
        this.pollNs = pollNs;
        this.threadNs = threadNs;
    }

    static CpuClock start() {
        return new CpuClock(processCpuNs(), pollThreadCpuNs(), threadCpuNs());
    }

    /**
     * The {@code top} thread groups by CPU since {@link #start()}, µs per job, as
     * "name:us" (numbered threads of a pool summed under the pool's name): where the time goes.
     */
    String topThreads(int jobs, int top) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Double> byGroup = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long now = threads.getThreadCpuTime(t.threadId());
            if (now < 0) continue;
            long used = now - threadNs.getOrDefault(t.threadId(), 0L);
            String group = t.getName().replaceAll("[-0-9]+$", "").replaceAll("-[0-9]+-", "-");
            byGroup.merge(group, used / 1e3 / jobs, Double::sum);
        }
        return byGroup.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .map(e -> e.getKey() + ":" + Math.round(e.getValue())).collect(java.util.stream.Collectors.joining(" "));
    }

    private static java.util.Map<Long, Long> threadCpuNs() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.Map<Long, Long> m = new java.util.HashMap<>();
        if (!threads.isThreadCpuTimeSupported()) return m;
        for (Thread t : Thread.getAllStackTraces().keySet()) m.put(t.threadId(), threads.getThreadCpuTime(t.threadId()));
        return m;
    }

    /** µs of CPU per job since {@link #start()}; NaN where the JVM cannot say. */
    PerJob perJob(int jobs) {
        long p = processCpuNs();
        long q = pollThreadCpuNs();
        return new PerJob(p < 0 || processNs < 0 ? Double.NaN : (p - processNs) / 1e3 / jobs,
                q < 0 || pollNs < 0 ? Double.NaN : (q - pollNs) / 1e3 / jobs);
    }

    record PerJob(double processUs, double pollThreadUs) { }

    private static long processCpuNs() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long pollThreadCpuNs() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) return -1;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (POLL_THREAD.equals(t.getName())) return threads.getThreadCpuTime(t.threadId());
        }
        return -1;
    }
}
