package dev.kiln.runtime.store;

import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded in-memory store of job records. */
class JobStoreTest {
    private static final long HOUR_MS = 3_600_000L;
    /** An acceptance time safely in the past, so a TTL of 0 ms has certainly passed. */
    private static final long LONG_AGO = System.nanoTime() - 60_000_000_000L;

    private static Job job(String id) {
        return new Job(id, JobKind.LINEAR, null, null,
                LinearProblem.of(PoissonGenerator.poisson2d(2, 2), PoissonGenerator.ones(4), null),
                new JobOptions(JobOptions.AUTO, Objective.LATENCY, 0, 1, LinearOptions.defaults()));
    }

    private static JobRecord live(String id, long acceptedNanos) {
        return new JobRecord(job(id), acceptedNanos);
    }

    private static JobRecord finished(String id, long acceptedNanos) {
        return new JobRecord(id, JobKind.LINEAR, JobResult.terminal(id, JobKind.LINEAR, JobStatus.REJECTED,
                new JobError(ErrorCode.INVALID_PROBLEM, "problem: is required"), JobResult.Timing.ZERO), acceptedNanos);
    }

    private static void finish(JobRecord r) {
        assertTrue(r.finish(JobResult.terminal(r.id(), r.kind(), JobStatus.SUCCEEDED, null, JobResult.Timing.ZERO)));
    }

    @Test
    void aFinishedRecordDropsItsJobButKeepsWhatTheRoutesShow() {
        Job j = new Job("f", JobKind.LINEAR, "heat", null, job("f").problem(),
                new JobOptions(JobOptions.AUTO, Objective.LATENCY, 250, 1, LinearOptions.defaults()));
        JobRecord r = new JobRecord(j, System.nanoTime());
        assertSame(j, r.job());
        finish(r);
        assertEquals(null, r.job(), "a finished record must not pin the job's matrix");
        assertEquals("heat", r.family());
        assertEquals(250, r.deadlineMs());
        assertEquals(JobStatus.SUCCEEDED, r.status());
    }

    @Test
    void putIfAbsentStoresANewRecordAndReturnsIt() {
        JobStore store = new JobStore(10, HOUR_MS);
        JobRecord r = live("a", System.nanoTime());
        assertSame(r, store.putIfAbsent(r));
        assertSame(r, store.get("a").orElseThrow());
    }

    @Test
    void putIfAbsentKeepsTheFirstRecordOfAnId() {
        JobStore store = new JobStore(10, HOUR_MS);
        JobRecord first = live("a", System.nanoTime());
        store.putIfAbsent(first);
        JobRecord second = live("a", System.nanoTime());
        assertSame(first, store.putIfAbsent(second));
        assertSame(first, store.get("a").orElseThrow());
        assertEquals(1, store.size());
    }

    @Test
    void unknownIdIsNotFound() {
        assertTrue(new JobStore(10, HOUR_MS).get("nobody").isEmpty());
    }

    @Test
    void removeTakesOutExactlyThatRecord() {
        JobStore store = new JobStore(10, HOUR_MS);
        JobRecord first = live("a", System.nanoTime());
        store.putIfAbsent(first);
        store.remove(live("a", System.nanoTime())); // another record under the same id: not removed
        assertSame(first, store.get("a").orElseThrow());
        store.remove(first);
        assertTrue(store.get("a").isEmpty());
    }

    @Test
    void oldestFinishedRecordsAreEvictedOnceMoreThanMaxAreHeld() {
        JobStore store = new JobStore(2, HOUR_MS);
        long t = System.nanoTime();
        store.putIfAbsent(finished("f1", t));
        store.putIfAbsent(finished("f2", t + 1));
        store.putIfAbsent(finished("f3", t + 2));
        store.putIfAbsent(finished("f4", t + 3));
        assertTrue(store.get("f1").isEmpty(), "the oldest finished record went first");
        assertTrue(store.get("f2").isPresent());
        assertTrue(store.get("f3").isPresent());
        assertTrue(store.get("f4").isPresent());
    }

    @Test
    void finishedRecordsUpToMaxAreKept() {
        JobStore store = new JobStore(3, HOUR_MS);
        long t = System.nanoTime();
        for (int i = 0; i < 3; i++) store.putIfAbsent(finished("f" + i, t + i));
        store.putIfAbsent(live("next", t + 3));
        for (int i = 0; i < 3; i++) assertTrue(store.get("f" + i).isPresent(), "f" + i);
    }

    @Test
    void finishedRecordsNeverPileUpFarBeyondMax() {
        JobStore store = new JobStore(5, HOUR_MS);
        long t = System.nanoTime();
        for (int i = 0; i < 100; i++) store.putIfAbsent(finished("f" + i, t + i));
        assertTrue(store.size() <= 6, "size " + store.size());
        assertTrue(store.get("f99").isPresent());
    }

    @Test
    void evictionOverMaxPassesOverLiveRecords() {
        JobStore store = new JobStore(1, HOUR_MS);
        long t = System.nanoTime();
        JobRecord running = live("live", t);
        store.putIfAbsent(running);
        store.putIfAbsent(finished("f1", t + 1));
        store.putIfAbsent(finished("f2", t + 2));
        store.putIfAbsent(finished("f3", t + 3));
        assertSame(running, store.get("live").orElseThrow());
        assertTrue(store.get("f1").isEmpty());
    }

    @Test
    void finishedRecordOlderThanTheTtlIsEvicted() {
        JobStore store = new JobStore(10, 0);
        store.putIfAbsent(finished("old", LONG_AGO));
        store.putIfAbsent(live("new", System.nanoTime()));
        assertTrue(store.get("old").isEmpty());
        assertTrue(store.get("new").isPresent());
    }

    @Test
    void liveRecordIsNeverEvictedByTtlOrMax() {
        JobStore store = new JobStore(0, 0);
        JobRecord running = live("live", LONG_AGO);
        store.putIfAbsent(running);
        for (int i = 0; i < 5; i++) store.putIfAbsent(finished("f" + i, LONG_AGO));
        assertSame(running, store.get("live").orElseThrow());
    }

    @Test
    void recordBecomesEvictableOnceItFinishes() {
        JobStore store = new JobStore(10, 0);
        JobRecord r = live("a", LONG_AGO);
        store.putIfAbsent(r);
        store.putIfAbsent(live("b", System.nanoTime()));
        assertTrue(store.get("a").isPresent(), "still live");
        finish(r);
        store.putIfAbsent(live("c", System.nanoTime()));
        assertTrue(store.get("a").isEmpty());
    }

    @Test
    void evictedIdCanBeSubmittedAgain() {
        JobStore store = new JobStore(10, 0);
        store.putIfAbsent(finished("a", LONG_AGO));
        JobRecord again = live("a", System.nanoTime());
        assertSame(again, store.putIfAbsent(again));
    }

    @Test
    void veryLongTtlDoesNotOverflowIntoImmediateExpiry() {
        JobStore store = new JobStore(10, Long.MAX_VALUE);
        store.putIfAbsent(finished("kept", LONG_AGO));
        store.putIfAbsent(live("next", System.nanoTime()));
        assertTrue(store.get("kept").isPresent());
    }

    @Test
    void overTheBoundItEvictsASixteenthBelowItSoTheScanIsRare() {
        JobStore store = new JobStore(160, HOUR_MS);
        long now = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            store.putIfAbsent(finished("f" + i, now));
            assertTrue(store.size() <= 161, "after insert " + i + ": " + store.size()); // the bound, plus the record just put
        }
        assertTrue(store.size() >= 150, "evicts down to 160 − 160/16, not further: " + store.size());
        assertTrue(store.get("f9999").isPresent(), "the newest stays");
        assertTrue(store.get("f0").isEmpty(), "the oldest went");
    }
}
