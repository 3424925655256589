package dev.kiln.deploy.bench.routing;

import java.util.Arrays;
import java.util.List;

/**
 * One pass's figures. Latencies are from each job's <em>scheduled</em> send time (paced: start
 * + i ÷ rate; flood: the pass's start) to its result, so a sender held up — by a GC pause, or a
 * blocking {@code send} — does not hide the wait of the jobs due meanwhile (coordinated
 * omission); {@code p99FromSendMs} is the same from the actual send, as measured before.
 */
record TinyPass(double jobsPerS, double p50Ms, double p99Ms, double p99FromSendMs, int notSucceeded,
               double kilnTotalMsMean, double solveMsMean, long[] dueNanos, double[] latencyMs) {
    /**
     * Share of the slowest 1 % of jobs whose wait (scheduled send → result) overlaps one of
     * {@code pauses} or the backlog it leaves, and the same share over all jobs (what chance
     * alone gives): how much of the tail the collector explains. The backlog is taken to last
     * as long as the pause: the flood serves about twice the paced rate, so the jobs piled up
     * during a pause drain in about its length.
     */
    double[] tailOverlappingPauses(List<GcPauses.Pause> pauses) {
        int n = latencyMs.length;
        double threshold = p99Ms;
        int tail = 0, tailHit = 0, hit = 0;
        for (int i = 0; i < n; i++) {
            long from = dueNanos[i], to = dueNanos[i] + (long) (latencyMs[i] * 1e6);
            boolean overlaps = false;
            for (GcPauses.Pause p : pauses) {
                long backlogEnd = p.endNanos() + (p.endNanos() - p.startNanos());
                if (p.startNanos() < to && backlogEnd > from) { overlaps = true; break; }
            }
            if (overlaps) hit++;
            if (latencyMs[i] >= threshold) {
                tail++;
                if (overlaps) tailHit++;
            }
        }
        return new double[] {100.0 * tailHit / Math.max(1, tail), 100.0 * hit / Math.max(1, n)};
    }

    /** The {@code top} worst 100 ms windows of scheduled send time: "+offset_ms:max_ms". */
    String worstWindows(long startNanos, int top) {
        java.util.Map<Long, Double> worst = new java.util.TreeMap<>();
        for (int i = 0; i < latencyMs.length; i++) worst.merge((dueNanos[i] - startNanos) / 100_000_000L, latencyMs[i], Math::max);
        return worst.entrySet().stream().sorted(java.util.Map.Entry.<Long, Double>comparingByValue().reversed()).limit(top)
                .map(e -> String.format(java.util.Locale.ROOT, "+%d:%.0f", e.getKey() * 100, e.getValue()))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /**
     * Scheduled send → result, ms. A job the sender let go up to a tick early counts from its
     * send, not from before it; one it sent late counts from when it was due.
     */
    static double latencyMs(long dueNanos, long sentNanos, long receivedNanos) {
        return (receivedNanos - Math.min(dueNanos, sentNanos)) / 1e6;
    }

    /** The nearest-rank percentile ({@code q} in (0, 1]). */
    static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
