package dev.kiln.runtime;

import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Router;
import dev.kiln.runtime.routing.RoutingDecision;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Late binding through the runtime: jobs routed to a backend whose worker is held wait in its
 * queue, and the idle backend's worker takes them when the router says so. Scripted backends and
 * a scripted router (the router's own rule is {@code EarliestFinishRouterTest}'s business). Waits
 * are hang guards only.
 */
class LateBindingTest {
    private static final long GUARD_SECONDS = 20;

    /**
     * Routes every job to "slow" when it may; moves any job waiting on "slow" to an idle backend.
     * Counts bookings per decision (+1 at route or move, -1 at completed) so a test can check each
     * decision is released exactly once.
     */
    static final class SlowFirstRouter implements Router {
        // By identity: decisions are records, and two jobs' decisions may be equal field by field.
        final Map<RoutingDecision, AtomicInteger> open = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
        final AtomicInteger moves = new AtomicInteger();

        @Override
        public RoutingDecision route(Job job, List<Candidate> candidates) {
            Candidate c = candidates.stream().filter(x -> x.backendId().equals("slow")).findFirst().orElse(candidates.get(0));
            List<JobResult.Candidate> all = new ArrayList<>();
            for (Candidate x : candidates) all.add(new JobResult.Candidate(x.backendId(), 1, x.queued() + x.running()));
            return book(new RoutingDecision(c.backendId(), 1, all, false, null, 1, job.family()));
        }

        @Override
        public Optional<RoutingDecision> move(Job job, RoutingDecision current, Candidate from, Candidate to) {
            if (!from.backendId().equals("slow")) return Optional.empty();
            moves.incrementAndGet();
            return Optional.of(book(new RoutingDecision(to.backendId(), 1, current.candidates(), false, null, 1,
                    job.family(), from.backendId())));
        }

        private RoutingDecision book(RoutingDecision d) {
            open.put(d, new AtomicInteger(1));
            return d;
        }

        @Override
        public void completed(RoutingDecision decision, JobResult result) {
            open.get(decision).decrementAndGet();
        }

        /**
         * Every decision released exactly once. A result's future completes before the callbacks
         * that release its decision have run, so this waits (hang guard) for them to come in.
         */
        void assertAllReleasedOnce() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (pending() && System.nanoTime() < end) Thread.sleep(5);
            List<Map.Entry<RoutingDecision, AtomicInteger>> all;
            synchronized (open) {
                all = List.copyOf(open.entrySet());
            }
            all.forEach(e -> assertEquals(0, e.getValue().get(), "decision for " + e.getKey().chosen()
                    + " released " + (1 - e.getValue().get()) + " times"));
        }

        private boolean pending() {
            synchronized (open) {
                return open.values().stream().anyMatch(n -> n.get() > 0);
            }
        }
    }

    private final List<FakeBackend.Gate> gates = new ArrayList<>();
    private KilnRuntime runtime;

    @AfterEach
    void tearDown() {
        gates.forEach(FakeBackend.Gate::open);
        if (runtime != null) runtime.close();
    }

    private KilnRuntime start(Router router, FakeBackend... backends) {
        runtime = new KilnRuntime(KilnConfig.of(Map.of("kiln.queue.capacity", "8", "kiln.workers", "1", "kiln.shutdown.grace-ms", "0")),
                BackendRegistry.of(List.of(backends), Map.of()), router);
        return runtime;
    }

    private Job job(String id, String extra, String options) throws JobRejectedException {
        return runtime.decoder().decode("{\"id\":\"" + id + "\",\"kind\":\"linear\"" + extra + ",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":3}},\"options\":" + options + "}");
    }

    private JobRecord submit(Job j) {
        return assertInstanceOf(Submission.Accepted.class, runtime.submit(j)).record();
    }

    private static JobResult await(JobRecord rec) throws Exception {
        return rec.result().get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    /** A backend that cannot run job "a", the job a test holds slow's worker on: so it is never moved. */
    private static FakeBackend fastRefusingA() {
        return new FakeBackend("fast").supporting(j -> j.id().equals("a")
                ? dev.kiln.spi.Support.no(dev.kiln.spi.ErrorCode.UNSUPPORTED, "not a") : dev.kiln.spi.Support.YES);
    }

    /** Holds slow's only worker on job {@code id}; the returned gate lets it finish. */
    private FakeBackend.Gate hold(FakeBackend slow, String id) throws Exception {
        FakeBackend.Gate g = new FakeBackend.Gate();
        gates.add(g);
        slow.on(id, g.script());
        submit(job(id, "", "{}"));
        g.awaitStarted();
        return g;
    }

    @Test
    void jobsWaitingBehindABusyBackendRunOnTheIdleOneAndSaySo() throws Exception {
        FakeBackend slow = new FakeBackend("slow");
        FakeBackend fast = fastRefusingA();
        SlowFirstRouter router = new SlowFirstRouter();
        start(router, slow, fast);
        FakeBackend.Gate g = hold(slow, "a");
        JobRecord b = submit(job("b", "", "{}"));
        JobRecord c = submit(job("c", "", "{}"));
        JobResult rb = await(b);
        JobResult rc = await(c);
        for (JobResult r : List.of(rb, rc)) {
            assertEquals(JobStatus.SUCCEEDED, r.status());
            assertEquals("fast", r.backend());
            assertEquals("fast", r.routing().chosen());
            assertEquals("slow", r.routing().movedFrom());
        }
        assertTrue(fast.solved().containsAll(List.of("b", "c")));
        assertEquals(0, runtime.queued("slow"), "the moved jobs left slow's queue");
        g.open();
        JobResult ra = await(runtime.find("a").orElseThrow());
        assertEquals("slow", ra.backend());
        assertNull(ra.routing().movedFrom(), "a job that ran where it was routed says nothing moved it");
        assertEquals(List.of("a"), slow.solved(), "slow never ran a moved job");
        router.assertAllReleasedOnce();
    }

    @Test
    void aJobAskingForItsBackendIsNeverMoved() throws Exception {
        FakeBackend slow = new FakeBackend("slow");
        FakeBackend fast = fastRefusingA();
        SlowFirstRouter router = new SlowFirstRouter();
        start(router, slow, fast);
        FakeBackend.Gate g = hold(slow, "a");
        JobRecord pinned = submit(job("p", "", "{\"backend\":\"slow\"}"));
        // Several idle rechecks of fast's worker pass while p waits.
        Thread.sleep(5 * dev.kiln.runtime.scheduling.BackendLane.IDLE_RECHECK_MS);
        assertEquals(JobStatus.QUEUED, pinned.status());
        assertEquals(0, router.moves.get());
        g.open();
        JobResult r = await(pinned);
        assertEquals("slow", r.backend());
        assertEquals(List.of("a", "p"), slow.solved());
        router.assertAllReleasedOnce();
    }

    @Test
    void aFamilysWaitingJobMovesWithOneOfItsTicketsAndTheRestRunWhereRouted() throws Exception {
        FakeBackend slow = new FakeBackend("slow");
        FakeBackend fast = new FakeBackend("fast").supporting(j -> j.id().equals("f2")
                ? dev.kiln.spi.Support.YES : dev.kiln.spi.Support.no(dev.kiln.spi.ErrorCode.UNSUPPORTED, "only f2"));
        SlowFirstRouter router = new SlowFirstRouter();
        start(router, slow, fast);
        FakeBackend.Gate g = hold(slow, "a");
        // f1 and f0 can run only on slow, so they are no candidates for fast; f2 (newest) can.
        JobRecord f0 = submit(job("f0", ",\"family\":\"fam\"", "{}"));
        JobRecord f1 = submit(job("f1", ",\"family\":\"fam\"", "{}"));
        JobRecord f2 = submit(job("f2", ",\"family\":\"fam\"", "{}"));
        JobResult r2 = await(f2);
        assertEquals("fast", r2.backend());
        assertEquals("slow", r2.routing().movedFrom());
        assertEquals(2, runtime.queued("slow"), "one of the family's three tickets left with f2");
        g.open();
        assertEquals("slow", await(f0).backend());
        assertEquals("slow", await(f1).backend());
        assertEquals(List.of("a", "f0", "f1"), slow.solved().stream().sorted().toList());
        assertEquals(List.of("f2"), fast.solved());
        router.assertAllReleasedOnce();
    }

    @Test
    void aRouterWithoutPredictionsMovesNothing() throws Exception {
        FakeBackend slow = new FakeBackend("slow").supporting(j -> j.id().equals("x")
                ? dev.kiln.spi.Support.no(dev.kiln.spi.ErrorCode.UNSUPPORTED, "not x") : dev.kiln.spi.Support.YES);
        FakeBackend fast = fastRefusingA();
        start(new ShortestQueueRouter(), slow, fast);
        FakeBackend.Gate onSlow = hold(slow, "a");
        FakeBackend.Gate onFast = hold(fast, "x");
        // Both busy with one job: shortest-queue's tie goes to the first registered, slow.
        JobRecord b = submit(job("b", "", "{}"));
        assertEquals("slow", b.backend());
        onFast.open();
        await(runtime.find("x").orElseThrow());
        Thread.sleep(5 * dev.kiln.runtime.scheduling.BackendLane.IDLE_RECHECK_MS);
        assertEquals(JobStatus.QUEUED, b.status(), "fast is idle, but a router without predictions never moves a job");
        onSlow.open();
        assertEquals("slow", await(b).backend());
        assertEquals(List.of("x"), fast.solved());
    }
}
