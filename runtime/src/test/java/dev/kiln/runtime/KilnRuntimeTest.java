package dev.kiln.runtime;

import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.ProgressEvent;
import dev.kiln.spi.Support;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime's job lifecycle against scripted fake backends: one worker and a queue of two
 * per backend, so tests control exactly what runs and what waits. Waits are hang guards only.
 */
class KilnRuntimeTest {
    private static final long GUARD_SECONDS = 20;

    private final List<FakeBackend.Gate> gates = new ArrayList<>();
    private KilnRuntime runtime;

    @AfterEach
    void tearDown() {
        gates.forEach(FakeBackend.Gate::open);
        if (runtime != null) runtime.close();
    }

    // ---- helpers -------------------------------------------------------------------------

    private KilnRuntime start(Map<String, String> extra, Backend... backends) {
        Map<String, String> settings = new HashMap<>(Map.of("kiln.queue.capacity", "2", "kiln.workers", "1",
                "kiln.shutdown.grace-ms", "0"));
        settings.putAll(extra);
        runtime = new KilnRuntime(KilnConfig.of(settings), BackendRegistry.of(List.of(backends), Map.of()),
                new ShortestQueueRouter());
        return runtime;
    }

    private KilnRuntime start(Backend... backends) {
        return start(Map.of(), backends);
    }

    private FakeBackend.Gate gate() {
        FakeBackend.Gate g = new FakeBackend.Gate();
        gates.add(g);
        return g;
    }

    private Job job(String id, String options) throws JobRejectedException {
        return runtime.decoder().decode("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":3}},\"options\":" + options + "}");
    }

    private Job job(String id) throws JobRejectedException {
        return job(id, "{}");
    }

    private static JobRecord accepted(Submission s) {
        Submission.Accepted a = assertInstanceOf(Submission.Accepted.class, s, s.toString());
        assertFalse(a.duplicate());
        return a.record();
    }

    private JobRecord submit(Job job) {
        return accepted(runtime.submit(job));
    }

    private static JobResult await(JobRecord rec) throws Exception {
        return rec.result().get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    /** Holds the single worker of {@code fake} on a job until the returned gate opens. */
    private FakeBackend.Gate occupyWorker(FakeBackend fake, String blockerId) throws Exception {
        FakeBackend.Gate g = gate();
        fake.on(blockerId, g.script());
        submit(job(blockerId));
        g.awaitStarted();
        return g;
    }

    // ---- a job's run -----------------------------------------------------------------------

    @Test
    void jobRunsAndItsResultCarriesBackendMethodIterationsTimingAndRouting() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        JobRecord rec = submit(job("run-1"));
        JobResult r = await(rec);
        assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
        assertNull(r.error());
        assertEquals("run-1", r.id());
        assertEquals(JobKind.LINEAR, r.kind());
        assertEquals("fake", r.backend());
        assertEquals("fake-cg", r.method());
        assertEquals(7, r.iterations());
        assertEquals(1e-10, r.residualNorm());
        assertEquals(Boolean.TRUE, r.converged());
        assertEquals(Map.of("omega", 1.25), r.parameters());
        JobResult.Timing t = r.timing();
        assertNotNull(t);
        assertTrue(t.queuedMs() >= 0 && t.solveMs() >= 0, t.toString());
        assertTrue(t.totalMs() >= t.solveMs() && t.totalMs() >= t.queuedMs(), t.toString());
        assertNotNull(r.routing());
        assertEquals("fake", r.routing().chosen());
        assertEquals(List.of("fake"), r.routing().candidates().stream().map(JobResult.Candidate::backend).toList());
        assertFalse(r.routing().explored());
        assertEquals(JobStatus.SUCCEEDED, rec.status());
        assertEquals(List.of("run-1"), fake.solved());
    }

    @Test
    void finishedJobIsFoundById() throws Exception {
        start(new FakeBackend("fake"));
        JobRecord rec = submit(job("find-1"));
        await(rec);
        assertSame(rec, runtime.find("find-1").orElseThrow());
    }

    @Test
    void routingListsEveryCapableBackendAsACandidate() throws Exception {
        start(new FakeBackend("a"), new FakeBackend("b"));
        JobResult r = await(submit(job("cands-1")));
        assertEquals(List.of("a", "b"), r.routing().candidates().stream().map(JobResult.Candidate::backend).toList());
        assertEquals("a", r.routing().chosen(), "ties go to the first registered");
    }

    @Test
    void namedBackendRunsTheJob() throws Exception {
        FakeBackend a = new FakeBackend("a");
        FakeBackend b = new FakeBackend("b");
        start(a, b);
        JobResult r = await(submit(job("named-1", "{\"backend\":\"b\"}")));
        assertEquals("b", r.backend());
        assertEquals(List.of(), a.solved());
        assertEquals(List.of("named-1"), b.solved());
    }

    @Test
    void duplicateSubmissionReturnsTheSameRecordAndTheJobRunsOnce() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        FakeBackend.Gate g = gate();
        fake.on("dup-1", g.script());
        JobRecord first = submit(job("dup-1"));
        g.awaitStarted();
        Submission again = runtime.submit(job("dup-1"));
        Submission.Accepted a = assertInstanceOf(Submission.Accepted.class, again);
        assertTrue(a.duplicate());
        assertSame(first, a.record());
        g.open();
        assertEquals(JobStatus.SUCCEEDED, await(first).status());
        assertEquals(List.of("dup-1"), fake.solved());
    }

    @Test
    void duplicateOfAFinishedJobReturnsItsRecordWithoutRunningAgain() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        JobRecord first = submit(job("dup-2"));
        await(first);
        Submission.Accepted a = assertInstanceOf(Submission.Accepted.class, runtime.submit(job("dup-2")));
        assertTrue(a.duplicate());
        assertSame(first, a.record());
        assertEquals(List.of("dup-2"), fake.solved());
    }

    // ---- cancellation and deadlines --------------------------------------------------------

    @Test
    void cancellingAQueuedJobCompletesItAtOnceAsCancelled() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        FakeBackend.Gate blocker = occupyWorker(fake, "blocker");
        JobRecord queued = submit(job("queued-1"));
        assertEquals(JobStatus.QUEUED, queued.status());

        assertSame(queued, runtime.cancel("queued-1").orElseThrow());

        assertTrue(queued.result().isDone(), "completed by cancel itself, not by a worker");
        JobResult r = queued.result().getNow(null);
        assertEquals(JobStatus.CANCELLED, r.status());
        assertEquals(ErrorCode.CANCELLED, r.error().code());
        blocker.open();
        await(submit(job("after-1")));
        assertEquals(List.of("blocker", "after-1"), fake.solved(), "the cancelled job never reached the backend");
    }

    @Test
    void cancellingARunningJobIsSeenByTheBackendAndTheResultIsCancelled() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawCancel = new AtomicBoolean();
        fake.on("spin-1", (job, progress, c) -> {
            started.countDown();
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            int it = 0;
            while (!c.cancelled()) {
                if (System.nanoTime() > guard) throw new IllegalStateException("never cancelled");
                it++;
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            sawCancel.set(c.cancelled());
            return FakeBackend.cancelled(job, it);
        });
        JobRecord rec = submit(job("spin-1"));
        assertTrue(started.await(GUARD_SECONDS, TimeUnit.SECONDS));
        assertEquals(JobStatus.RUNNING, rec.status());

        runtime.cancel("spin-1");

        JobResult r = await(rec);
        assertTrue(sawCancel.get());
        assertEquals(JobStatus.CANCELLED, r.status());
        assertEquals(ErrorCode.CANCELLED, r.error().code());
        assertEquals("fake", r.backend());
    }

    @Test
    void cancellingAnUnknownJobFindsNothing() {
        start(new FakeBackend("fake"));
        assertTrue(runtime.cancel("nobody").isEmpty());
    }

    @Test
    void cancellingAFinishedJobLeavesItsResult() throws Exception {
        start(new FakeBackend("fake"));
        JobRecord rec = submit(job("done-1"));
        await(rec);
        runtime.cancel("done-1");
        assertEquals(JobStatus.SUCCEEDED, rec.result().getNow(null).status());
        assertEquals(JobStatus.SUCCEEDED, rec.status());
    }

    @Test
    void deadlinePassingWhileQueuedTimesTheJobOut() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        FakeBackend.Gate blocker = occupyWorker(fake, "blocker");
        JobRecord late = submit(job("late-1", "{\"deadlineMs\":1}"));

        JobResult r = await(late); // while the worker is still held: the timer expired it

        assertEquals(JobStatus.TIMED_OUT, r.status());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, r.error().code());
        assertTrue(r.error().message().contains("1 ms"), r.error().message());
        blocker.open();
        await(submit(job("after-2")));
        assertEquals(List.of("blocker", "after-2"), fake.solved(), "the expired job never reached the backend");
    }

    // ---- backpressure -----------------------------------------------------------------------

    @Test
    void fullQueueRefusesTheJobAndDoesNotStoreIt() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        occupyWorker(fake, "blocker");
        submit(job("q-1"));
        submit(job("q-2"));

        Submission s = runtime.submit(job("q-3"));

        Submission.QueueFull full = assertInstanceOf(Submission.QueueFull.class, s);
        assertTrue(full.reason().contains("full"), full.reason());
        assertTrue(runtime.find("q-3").isEmpty());
        assertEquals(2, runtime.queued("fake"));
    }

    @Test
    void jobRefusedForAFullQueueIsAcceptedWhenSubmittedAgainLater() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        FakeBackend.Gate blocker = occupyWorker(fake, "blocker");
        JobRecord q1 = submit(job("q-1"));
        JobRecord q2 = submit(job("q-2"));
        assertInstanceOf(Submission.QueueFull.class, runtime.submit(job("q-3")));
        blocker.open();
        await(q1);
        await(q2);

        JobRecord again = submit(job("q-3")); // not a duplicate: the refused one was never stored

        assertEquals(JobStatus.SUCCEEDED, await(again).status());
        assertEquals(List.of("blocker", "q-1", "q-2", "q-3"), fake.solved());
    }

    // ---- failures ---------------------------------------------------------------------------

    @Test
    void backendThrowingRuntimeExceptionFailsTheJobInternal() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("boom-1", (job, p, c) -> {
            throw new IllegalStateException("kaboom");
        });
        start(fake);
        JobResult r = await(submit(job("boom-1")));
        assertEquals(JobStatus.FAILED, r.status());
        assertEquals(ErrorCode.INTERNAL, r.error().code());
        assertTrue(r.error().message().contains("kaboom"), r.error().message());
        assertEquals("fake", r.backend());
    }

    @Test
    void workerSurvivesABackendThrowingAndRunsTheNextJob() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("boom-2", (job, p, c) -> {
            throw new IllegalStateException("kaboom");
        });
        start(fake);
        await(submit(job("boom-2")));
        JobResult next = await(submit(job("next-2")));
        assertEquals(JobStatus.SUCCEEDED, next.status());
    }

    @Test
    void workerSurvivesABackendThrowingAnError() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("err-1", (job, p, c) -> {
            throw new AssertionError("backend bug");
        });
        start(fake);
        JobResult r = await(submit(job("err-1")));
        assertEquals(JobStatus.FAILED, r.status());
        assertEquals(ErrorCode.INTERNAL, r.error().code());
        assertEquals(JobStatus.SUCCEEDED, await(submit(job("next-3"))).status());
    }

    @Test
    void retriableFailureReRoutesTheJobToAnotherCapableBackend() throws Exception {
        FakeBackend a = new FakeBackend("a").on("retry-1", (job, p, c) -> {
            throw new BackendException.Retriable("device lost", null);
        });
        FakeBackend b = new FakeBackend("b");
        start(a, b);
        JobResult r = await(submit(job("retry-1")));
        assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
        assertEquals("b", r.backend());
        assertEquals("b", r.routing().chosen());
        assertEquals(List.of("retry-1"), a.solved());
        assertEquals(List.of("retry-1"), b.solved());
    }

    @Test
    void retriableFailureWithNoOtherBackendFailsBackendUnavailable() throws Exception {
        FakeBackend a = new FakeBackend("a").on("retry-2", (job, p, c) -> {
            throw new BackendException.Retriable("device lost", null);
        });
        start(a);
        JobResult r = await(submit(job("retry-2")));
        assertEquals(JobStatus.FAILED, r.status());
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, r.error().code());
        assertTrue(r.error().message().contains("device lost"), r.error().message());
        assertEquals(List.of("retry-2"), a.solved(), "tried once, not in a loop");
    }

    @Test
    void fatalBackendExceptionFailsTheJobWithItsCode() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("fatal-1", (job, p, c) -> {
            throw new BackendException.Fatal(ErrorCode.NOT_SPD, "negative curvature at iteration 3");
        });
        start(fake);
        JobResult r = await(submit(job("fatal-1")));
        assertEquals(JobStatus.FAILED, r.status());
        assertEquals(ErrorCode.NOT_SPD, r.error().code());
        assertTrue(r.error().message().contains("negative curvature"), r.error().message());
    }

    @Test
    void nonConvergedOutcomeFailsNotConverged() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("slow-1", (job, p, c) -> FakeBackend.notConverged(job));
        start(fake);
        JobResult r = await(submit(job("slow-1", "{\"tolerance\":1e-9}")));
        assertEquals(JobStatus.FAILED, r.status());
        assertEquals(ErrorCode.NOT_CONVERGED, r.error().code());
        assertTrue(r.error().message().contains("1.0E-9"), r.error().message());
        assertEquals(50, r.iterations());
        assertEquals(Boolean.FALSE, r.converged());
    }

    // ---- refusals ---------------------------------------------------------------------------

    @Test
    void unknownBackendIsRejectedWithNoBackend() throws Exception {
        FakeBackend fake = new FakeBackend("fake");
        start(fake);
        Submission s = runtime.submit(job("nob-1", "{\"backend\":\"quantum\"}"));
        Submission.Rejected rj = assertInstanceOf(Submission.Rejected.class, s);
        JobResult r = rj.record().result().getNow(null);
        assertNotNull(r, "a rejection is complete at once");
        assertEquals(JobStatus.REJECTED, r.status());
        assertEquals(ErrorCode.NO_BACKEND, r.error().code());
        assertTrue(r.error().message().startsWith("options.backend: "), r.error().message());
        assertTrue(r.error().message().contains("quantum"), r.error().message());
        assertSame(rj.record(), runtime.find("nob-1").orElseThrow());
        assertEquals(List.of(), fake.solved());
    }

    @Test
    void backendThatDoesNotSupportTheJobGetsItRejectedUnsupportedWithItsReason() throws Exception {
        FakeBackend fake = new FakeBackend("fake").supporting(job -> job.options().linear().method() == LinearMethod.GMRES
                ? Support.no(ErrorCode.UNSUPPORTED, "fake has no GMRES") : Support.YES);
        start(fake);
        Submission.Rejected rj = assertInstanceOf(Submission.Rejected.class,
                runtime.submit(job("gm-1", "{\"method\":\"gmres\"}")));
        JobResult r = rj.record().result().getNow(null);
        assertEquals(JobStatus.REJECTED, r.status());
        assertEquals(ErrorCode.UNSUPPORTED, r.error().code());
        assertTrue(r.error().message().contains("fake has no GMRES"), r.error().message());
        assertEquals(List.of(), fake.solved());
    }

    @Test
    void namedBackendThatDoesNotSupportTheJobGetsItRejectedWithItsCodeAndReason() throws Exception {
        FakeBackend fake = new FakeBackend("fake").supporting(job -> Support.no(ErrorCode.TOO_LARGE, "fake holds 4 unknowns at most"));
        start(fake);
        Submission.Rejected rj = assertInstanceOf(Submission.Rejected.class,
                runtime.submit(job("big-1", "{\"backend\":\"fake\"}")));
        JobResult r = rj.record().result().getNow(null);
        assertEquals(ErrorCode.TOO_LARGE, r.error().code());
        assertTrue(r.error().message().contains("4 unknowns"), r.error().message());
    }

    @Test
    void supportsThatThrowsCountsAsUnsupported() throws Exception {
        FakeBackend fake = new FakeBackend("fake").supporting(job -> {
            throw new IllegalStateException("supports bug");
        });
        start(fake);
        Submission.Rejected rj = assertInstanceOf(Submission.Rejected.class, runtime.submit(job("sup-1")));
        JobResult r = rj.record().result().getNow(null);
        assertEquals(ErrorCode.UNSUPPORTED, r.error().code());
        assertTrue(r.error().message().contains("supports bug"), r.error().message());
    }

    @Test
    void jobCapableOfOnlyOneBackendIsRoutedThere() throws Exception {
        FakeBackend a = new FakeBackend("a").supporting(job -> Support.no(ErrorCode.UNSUPPORTED, "not a"));
        FakeBackend b = new FakeBackend("b");
        start(a, b);
        JobResult r = await(submit(job("only-b")));
        assertEquals("b", r.backend());
        assertEquals(List.of("b"), r.routing().candidates().stream().map(JobResult.Candidate::backend).toList());
    }

    @Test
    void namedBackendThatIsUnavailableIsRejectedWithNoBackendAndItsReason() throws Exception {
        start(new FakeBackend("fake"), new FakeBackend("gpu").unavailable("no OpenCL platform"));
        Submission.Rejected rj = assertInstanceOf(Submission.Rejected.class,
                runtime.submit(job("gpu-1", "{\"backend\":\"gpu\"}")));
        JobResult r = rj.record().result().getNow(null);
        assertEquals(ErrorCode.NO_BACKEND, r.error().code());
        assertTrue(r.error().message().contains("no OpenCL platform"), r.error().message());
    }

    @Test
    void unavailableBackendIsNeverACandidate() throws Exception {
        FakeBackend gpu = new FakeBackend("gpu").unavailable("no OpenCL platform");
        start(gpu, new FakeBackend("fake"));
        JobResult r = await(submit(job("auto-1")));
        assertEquals("fake", r.backend());
        assertEquals(List.of("fake"), r.routing().candidates().stream().map(JobResult.Candidate::backend).toList());
        assertEquals(List.of(), gpu.solved());
    }

    @Test
    void rejectStoresTheDecodersRejectionAsAResultFoundById() {
        start(new FakeBackend("fake"));
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> runtime.decoder().decode(
                "{\"id\":\"bad-1\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":3}},"
                        + "\"options\":{\"tolerence\":1e-6}}"));

        JobRecord rec = runtime.reject(e);

        assertSame(rec, runtime.find("bad-1").orElseThrow());
        JobResult r = rec.result().getNow(null);
        assertEquals(JobStatus.REJECTED, r.status());
        assertEquals("bad-1", r.id());
        assertEquals(JobKind.LINEAR, r.kind());
        assertEquals(ErrorCode.INVALID_OPTIONS, r.error().code());
        assertTrue(r.error().message().startsWith("options.tolerence: "), r.error().message());
    }

    @Test
    void rejectWithoutAnIdFilesTheResultUnderAGeneratedId() {
        start(new FakeBackend("fake"));
        JobRecord rec = runtime.reject(new JobRejectedException(ErrorCode.UNPARSEABLE, "", "not valid JSON"));
        assertNotNull(rec.id());
        assertSame(rec, runtime.find(rec.id()).orElseThrow());
        assertEquals(JobStatus.REJECTED, rec.status());
    }

    // ---- results and progress ----------------------------------------------------------------

    @Test
    void solutionIsDroppedUnlessTheJobAsksForIt() throws Exception {
        start(new FakeBackend("fake"));
        JobResult r = await(submit(job("x-1")));
        assertEquals(JobStatus.SUCCEEDED, r.status());
        assertNull(r.solution());
    }

    @Test
    void solutionIsReturnedWhenTheJobAsksForIt() throws Exception {
        start(new FakeBackend("fake"));
        JobResult r = await(submit(job("x-2", "{\"returnSolution\":true}")));
        double[] ones = new double[9];
        Arrays.fill(ones, 1.0);
        assertArrayEquals(ones, r.solution());
    }

    @Test
    void progressEventsReachTheJobsSubscribers() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("prog-1", (job, p, c) -> {
            p.report(1, 0.5);
            p.report(2, 0.25);
            p.report(3, 0.125);
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.first-after-ms", "0"), fake);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        List<ProgressEvent> others = new CopyOnWriteArrayList<>();
        runtime.progress().subscribe("prog-1", events::add);
        runtime.progress().subscribe("someone-else", others::add);

        await(submit(job("prog-1")));

        assertFalse(events.isEmpty());
        assertEquals(1, events.get(0).iteration(), "the first sample always goes out");
        assertEquals(3, events.get(events.size() - 1).iteration(), "the last sample always goes out");
        assertEquals(0.125, events.get(events.size() - 1).residual());
        for (ProgressEvent e : events) {
            assertEquals("prog-1", e.jobId());
            assertEquals("fake", e.backend());
        }
        assertTrue(others.isEmpty());
    }

    @Test
    void progressSampleAlreadyPublishedIsNotRepeatedAtTheEnd() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("prog-2", (job, p, c) -> {
            p.report(4, 0.01);
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.first-after-ms", "0"), fake);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        runtime.progress().subscribe("prog-2", events::add);

        await(submit(job("prog-2")));

        assertEquals(List.of(4), events.stream().map(ProgressEvent::iteration).toList());
    }

    @Test
    void withoutRateLimitEverySampleIsPublishedExactlyOnce() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("prog-3", (job, p, c) -> {
            for (int i = 1; i <= 5; i++) p.report(i, 1.0 / i);
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.interval-ms", "0", "kiln.progress.first-after-ms", "0"), fake);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        runtime.progress().subscribe("prog-3", events::add);

        await(submit(job("prog-3")));

        assertEquals(List.of(1, 2, 3, 4, 5), events.stream().map(ProgressEvent::iteration).toList());
    }

    @Test
    void globalProgressSubscribersSeeEveryJob() throws Exception {
        FakeBackend fake = new FakeBackend("fake").byDefault((job, p, c) -> {
            p.report(1, 0.5);
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.first-after-ms", "0"), fake);
        List<String> ids = new CopyOnWriteArrayList<>();
        runtime.progress().subscribeAll(e -> ids.add(e.jobId()));
        await(submit(job("all-1")));
        await(submit(job("all-2")));
        assertEquals(List.of("all-1", "all-2"), ids);
    }

    @Test
    void aJobOverBeforeTheFirstProgressIsDueHasNoneButItsResult() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("quick-1", (job, p, c) -> {
            for (int i = 1; i <= 5; i++) p.report(i, 1.0 / i);
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.first-after-ms", "60000"), fake);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        runtime.progress().subscribeAll(events::add);

        JobResult r = await(submit(job("quick-1")));

        assertEquals(JobStatus.SUCCEEDED, r.status());
        assertTrue(events.isEmpty(), "no progress for a job that ended within first-after-ms: " + events);
    }

    @Test
    void aJobStillRunningWhenTheFirstProgressIsDuePublishesItAndItsLastSample() throws Exception {
        FakeBackend fake = new FakeBackend("fake").on("slow-1", (job, p, c) -> {
            p.report(1, 0.5); // before first-after-ms: not published
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.report(2, 0.25); // after it: published
            p.report(3, 0.125); // within the interval: held, then flushed at the end
            return FakeBackend.converged(job);
        });
        start(Map.of("kiln.progress.first-after-ms", "20", "kiln.progress.interval-ms", "3600000"), fake);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        runtime.progress().subscribe("slow-1", events::add);

        await(submit(job("slow-1")));

        assertEquals(List.of(2, 3), events.stream().map(ProgressEvent::iteration).toList());
    }

    // ---- shutdown ----------------------------------------------------------------------------

    @Test
    void submissionAfterShutdownIsRefusedAndNotStored() throws Exception {
        start(new FakeBackend("fake"));
        runtime.shutdown(0);
        assertInstanceOf(Submission.QueueFull.class, runtime.submit(job("late-2")));
        assertTrue(runtime.find("late-2").isEmpty());
    }
}
