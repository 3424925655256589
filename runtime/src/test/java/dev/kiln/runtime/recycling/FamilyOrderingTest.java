package dev.kiln.runtime.recycling;

import dev.kiln.runtime.scheduling.BackendLane;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FamilyOrderingTest {
    static final CsrMatrix A = PoissonGenerator.poisson2d(4, 4);

    static Job job(String id, String family, double c) {
        double[] b = new double[16];
        java.util.Arrays.fill(b, 1);
        return new Job(id, JobKind.LINEAR, family, new double[]{c}, new LinearProblem(A, b, null),
                new JobOptions("auto", Objective.LATENCY, 0, 1, LinearOptions.defaults()));
    }

    /** A lane with one worker held by a latch, so submitted jobs wait together. */
    static final class HeldLane implements AutoCloseable {
        final BackendLane lane;
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> order = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done;

        HeldLane(int capacity, int jobs) throws InterruptedException {
            lane = new BackendLane("test", capacity, 1);
            done = new CountDownLatch(jobs);
            CountDownLatch started = new CountDownLatch(1);
            lane.offer(() -> {
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            started.await(10, TimeUnit.SECONDS);
        }

        Runnable record(String id) {
            return () -> { order.add(id); done.countDown(); };
        }

        @Override
        public void close() { lane.close(); }
    }

    @Test
    void waitingJobsOfAFamilyRunNearestFirst() throws Exception {
        FamilyOrdering ordering = new FamilyOrdering();
        try (HeldLane h = new HeldLane(16, 6)) {
            double[] cs = {0, 5, 1, 4, 2, 3};
            for (double c : cs) {
                String id = "c" + (int) c;
                assertTrue(ordering.offer(h.lane, job(id, "f", c), h.record(id)));
            }
            h.release.countDown();
            assertTrue(h.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5"), h.order);
        }
    }

    @Test
    void jobsWithoutAFamilyKeepTheirQueueOrder() throws Exception {
        FamilyOrdering ordering = new FamilyOrdering();
        try (HeldLane h = new HeldLane(16, 4)) {
            for (String id : new String[]{"x", "y", "z", "w"}) assertTrue(ordering.offer(h.lane, job(id, null, 0), h.record(id)));
            h.release.countDown();
            assertTrue(h.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("x", "y", "z", "w"), h.order);
        }
    }

    @Test
    void otherJobsKeepTheirPlacesBetweenAFamilysJobs() throws Exception {
        FamilyOrdering ordering = new FamilyOrdering();
        try (HeldLane h = new HeldLane(16, 5)) {
            ordering.offer(h.lane, job("f0", "f", 0), h.record("f0"));
            ordering.offer(h.lane, job("f9", "f", 9), h.record("f9"));
            ordering.offer(h.lane, job("solo", null, 0), h.record("solo"));
            ordering.offer(h.lane, job("f1", "f", 1), h.record("f1"));
            ordering.offer(h.lane, job("g", "other", 0), h.record("g"));
            h.release.countDown();
            assertTrue(h.done.await(10, TimeUnit.SECONDS));
            // the family's second place goes to its job nearest f0 (f1), not to f9
            assertEquals(List.of("f0", "f1", "solo", "f9", "g"), h.order);
        }
    }

    @Test
    void aFullLaneRefusesTheJobAndItWaitsNowhere() throws Exception {
        FamilyOrdering ordering = new FamilyOrdering();
        try (HeldLane h = new HeldLane(1, 1)) {
            assertTrue(ordering.offer(h.lane, job("a", "f", 0), h.record("a")));
            assertFalse(ordering.offer(h.lane, job("b", "f", 1), h.record("b")));
            assertEquals(1, ordering.waiting());
            h.release.countDown();
            assertTrue(h.done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("a"), h.order);
            assertEquals(0, ordering.waiting());
        }
    }

    @Test
    void anOutlierPassedOverTooOftenRunsNext() throws Exception {
        FamilyOrdering ordering = new FamilyOrdering();
        int close = FamilyOrdering.MAX_BYPASS + 8;
        try (HeldLane h = new HeldLane(close + 8, close + 2)) {
            ordering.offer(h.lane, job("c0", "f", 0), h.record("c0"));
            ordering.offer(h.lane, job("far", "f", 1000), h.record("far"));
            for (int i = 1; i <= close; i++) ordering.offer(h.lane, job("c" + i, "f", i), h.record("c" + i));
            h.release.countDown();
            assertTrue(h.done.await(10, TimeUnit.SECONDS));
            assertEquals("far", h.order.get(FamilyOrdering.MAX_BYPASS + 1), h.order.toString());
            assertEquals("c" + close, h.order.get(close + 1));
        }
    }
}
