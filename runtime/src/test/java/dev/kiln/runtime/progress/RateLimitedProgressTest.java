package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-job progress limiter: first sample, then at most one per interval, plus the last. */
class RateLimitedProgressTest {
    private static final long HOUR_MS = 3_600_000L;

    private final ProgressBus bus = new ProgressBus();
    private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();

    RateLimitedProgressTest() {
        bus.subscribe("job", events::add);
    }

    private List<Integer> iterations() {
        return events.stream().map(ProgressEvent::iteration).toList();
    }

    @Test
    void firstSampleIsPublishedAtOnce() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS);
        p.report(1, 0.5);
        assertEquals(List.of(1), iterations());
        assertEquals("cpu", events.get(0).backend());
        assertEquals(0.5, events.get(0).residual());
    }

    @Test
    void samplesWithinTheIntervalAreHeldBack() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS);
        for (int i = 1; i <= 10; i++) p.report(i, 1.0 / i);
        assertEquals(List.of(1), iterations());
    }

    @Test
    void flushPublishesTheLastHeldSample() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS);
        for (int i = 1; i <= 10; i++) p.report(i, 1.0 / i);
        p.flush();
        assertEquals(List.of(1, 10), iterations());
        assertEquals(0.1, events.get(1).residual());
    }

    @Test
    void flushDoesNotRepeatASampleAlreadyPublished() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS);
        p.report(1, 0.5);
        p.flush();
        assertEquals(List.of(1), iterations());
    }

    @Test
    void flushWithoutAnySamplePublishesNothing() {
        new RateLimitedProgress(bus, "job", "cpu", HOUR_MS).flush();
        assertTrue(events.isEmpty());
    }

    @Test
    void heldSampleOfIterationZeroIsFlushed() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", HOUR_MS);
        p.report(0, 1.0);
        p.report(0, 0.9); // e.g. a backend reporting its initial residual twice
        p.flush();
        assertEquals(List.of(0, 0), iterations());
        assertEquals(0.9, events.get(1).residual());
    }

    @Test
    void zeroIntervalPublishesEverySampleOnce() {
        RateLimitedProgress p = new RateLimitedProgress(bus, "job", "cpu", 0);
        for (int i = 1; i <= 4; i++) p.report(i, 1.0 / i);
        p.flush();
        assertEquals(List.of(1, 2, 3, 4), iterations());
    }
}
