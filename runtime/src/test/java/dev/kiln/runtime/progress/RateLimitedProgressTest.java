package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-job progress limiter: first sample once the job has run a while, then at most one per interval, plus the last. */
class RateLimitedProgressTest {
    private static final long HOUR_MS = 3_600_000L;

    private final ProgressBus bus = new ProgressBus();
    private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();

    RateLimitedProgressTest() {
        bus.subscribe("job", events::add);
    }

    /** A clock the test moves, in ns. */
    private long now = 1_000_000_000L;

    private RateLimitedProgress timed(long intervalMs, long firstAfterMs) {
        return new RateLimitedProgress(bus, "job", "cpu", intervalMs, firstAfterMs, () -> now);
    }

    private void advanceMs(long ms) {
        now += ms * 1_000_000L;
    }

    private List<Integer> iterations() {
        return events.stream().map(ProgressEvent::iteration).toList();
    }

    @Test
    void firstSampleIsPublishedAtOnce() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0);
        p.report(1, 0.5);
        assertEquals(List.of(1), iterations());
        assertEquals("cpu", events.get(0).backend());
        assertEquals(0.5, events.get(0).residual());
    }

    @Test
    void samplesWithinTheIntervalAreHeldBack() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0);
        for (int i = 1; i <= 10; i++) p.report(i, 1.0 / i);
        assertEquals(List.of(1), iterations());
    }

    @Test
    void flushPublishesTheLastHeldSample() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0);
        for (int i = 1; i <= 10; i++) p.report(i, 1.0 / i);
        p.flush();
        assertEquals(List.of(1, 10), iterations());
        assertEquals(0.1, events.get(1).residual());
    }

    @Test
    void flushDoesNotRepeatASampleAlreadyPublished() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0);
        p.report(1, 0.5);
        p.flush();
        assertEquals(List.of(1), iterations());
    }

    @Test
    void flushWithoutAnySamplePublishesNothing() {
        new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0).flush();
        assertTrue(events.isEmpty());
    }

    @Test
    void heldSampleOfIterationZeroIsFlushed() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS, 0);
        p.report(0, 1.0);
        p.report(0, 0.9); // e.g. a backend reporting its initial residual twice
        p.flush();
        assertEquals(List.of(0, 0), iterations());
        assertEquals(0.9, events.get(1).residual());
    }

    @Test
    void zeroIntervalPublishesEverySampleOnce() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", 0, 0);
        for (int i = 1; i <= 4; i++) p.report(i, 1.0 / i);
        p.flush();
        assertEquals(List.of(1, 2, 3, 4), iterations());
    }

    @Test
    void aJobThatEndsBeforeTheFirstEventIsDuePublishesNothing() {
        RateLimitedProgress p = timed(200, 10);
        for (int i = 1; i <= 50; i++) {
            p.report(i, 1.0 / i);
            advanceMs(0); // microseconds apart: every sample within the first 10 ms
        }
        advanceMs(9);
        p.report(51, 1e-9);
        p.flush();
        assertTrue(events.isEmpty(), "no progress for a job of under 10 ms: " + iterations());
    }

    @Test
    void theFirstSampleOnceTheJobHasRunThatLongGoesOutThenTheIntervalAndTheLast() {
        RateLimitedProgress p = timed(200, 10);
        p.report(1, 0.5);
        advanceMs(5);
        p.report(2, 0.25);
        advanceMs(5); // 10 ms since the start: due
        p.report(3, 0.125);
        advanceMs(100);
        p.report(4, 0.0625); // within the interval of the first event: held
        advanceMs(100);
        p.report(5, 0.03125); // 200 ms after the first event
        advanceMs(1);
        p.report(6, 0.015625);
        p.flush();
        assertEquals(List.of(3, 5, 6), iterations());
        assertEquals(10, events.get(0).elapsedMs());
        assertEquals(0.015625, events.get(2).residual());
    }
}
