package dev.kiln.deploy.bench.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiny case's latency arithmetic: scheduled-send latencies, percentiles, the tail laid over GC pauses. */
class TinyPassTest {
    private static final long MS = 1_000_000L;

    @Test
    void aJobSentLateCountsFromWhenItWasDueNotFromItsSend() {
        // Due at 0, the sender held up 100 ms (a pause), result at 110 ms: the client waited 110 ms, not 10.
        assertEquals(110.0, TinyPass.latencyMs(0, 100 * MS, 110 * MS), 1e-9);
    }

    @Test
    void aJobSentEarlyInItsTickCountsFromItsSend() {
        // The 1 ms ticks let a job go up to a tick before it is due: its wait starts at the send.
        assertEquals(3.0, TinyPass.latencyMs(5 * MS, 4 * MS, 7 * MS), 1e-9);
    }

    @Test
    void percentileIsTheNearestRank() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) v[i] = 100 - i; // 1..100, reversed
        assertEquals(50.0, TinyPass.percentile(v, 0.50));
        assertEquals(99.0, TinyPass.percentile(v, 0.99));
        assertEquals(100.0, TinyPass.percentile(v, 1.0));
        assertEquals(7.0, TinyPass.percentile(new double[] {7}, 0.99));
    }

    @Test
    void theTailIsAttributedToAPauseWhenItsWaitOverlapsThePauseOrTheBacklogAfterIt() {
        // 100 jobs due 1 ms apart, 5 ms each, except jobs 40..41 which waited 60 ms.
        int n = 100;
        long[] due = new long[n];
        double[] latency = new double[n];
        for (int i = 0; i < n; i++) {
            due[i] = i * MS;
            latency[i] = i == 40 || i == 41 ? 60 : 5;
        }
        TinyPass pass = new TinyPass(1000, 5, 60, 60, 0, 0, 0, due, latency);
        // A 10 ms pause at 45..55 ms: jobs 40..41 (waiting 40..101 ms) overlap it; so do the jobs
        // whose 5 ms wait touches 45..65 ms (pause + its length of backlog): due 41..64.
        double[] inPause = pass.tailOverlappingPauses(List.of(new GcPauses.Pause(45 * MS, 55 * MS, "test", "test")));
        assertArrayEquals(new double[] {100.0, 25.0}, inPause, 1e-9);
        // A pause long before the slow jobs explains none of the tail.
        double[] elsewhere = pass.tailOverlappingPauses(List.of(new GcPauses.Pause(0, 2 * MS, "test", "test")));
        assertEquals(0.0, elsewhere[0], 1e-9);
        assertEquals(0.0, pass.tailOverlappingPauses(List.of())[1], 1e-9);
    }

    @Test
    void worstWindowsAreTheSlowestHundredMillisecondsOfScheduledSendTime() {
        long[] due = {0, 50 * MS, 150 * MS, 250 * MS};
        double[] latency = {3, 9, 40, 1};
        TinyPass pass = new TinyPass(1000, 5, 40, 40, 0, 0, 0, due, latency);
        assertEquals("+100:40 +0:9", pass.worstWindows(0, 2));
    }

    @Test
    void busyJiffiesAreEverythingButIdleAndIowait() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(1 + 2 + 3 + 6 + 7 + 8, MachineCpu.busyJiffies("cpu  1 2 3 400 500 6 7 8 0 0"));
        assertEquals(-1, MachineCpu.busyJiffies("cpu0 1 2 3 4 5 6 7 8"));
    }

    @Test
    void concurrentCollectorCyclesAreNotPauses() {
        assertEquals(true, GcPauses.isConcurrent("ZGC Minor Cycles"));
        assertEquals(true, GcPauses.isConcurrent("G1 Concurrent GC"));
        assertEquals(false, GcPauses.isConcurrent("ZGC Minor Pauses"));
        assertEquals(false, GcPauses.isConcurrent("PS Scavenge"));
        assertEquals(false, GcPauses.isConcurrent("G1 Young Generation"));
    }
}
