package dev.kiln.runtime.backend;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading, configuring and probing backends: a broken one is listed, never fatal. */
class BackendRegistryTest {

    /** A backend whose probe is whatever the supplier does. Never asked to solve here. */
    private static class Stub implements Backend {
        final String id;
        final Supplier<Probe> probe;
        final AtomicReference<Map<String, ?>> configured = new AtomicReference<>();
        final AtomicInteger closed = new AtomicInteger();

        Stub(String id, Supplier<Probe> probe) {
            this.id = id;
            this.probe = probe;
        }

        @Override public String id() { return id; }
        @Override public void configure(Map<String, ?> config) { configured.set(config); }
        @Override public Probe probe() { return probe.get(); }
        @Override public Support supports(Job job) { return Support.YES; }
        @Override public Features features(Job job) { throw new UnsupportedOperationException(); }
        @Override public SolveOutcome solve(Job job, ProgressSink p, Cancellation c) { throw new UnsupportedOperationException(); }
        @Override public void close() { closed.incrementAndGet(); }
    }

    private static Stub available(String id) {
        return new Stub(id, () -> Probe.available("device of " + id));
    }

    @Test
    void availableBackendIsUsable() {
        Stub b = available("good");
        BackendHandle h = BackendRegistry.of(List.of(b), Map.of()).get("good").orElseThrow();
        assertTrue(h.usable());
        assertSame(b, h.backend());
        assertEquals("device of good", h.probe().device());
    }

    @Test
    void backendWhoseProbeThrowsIsListedUnavailableWithTheReason() {
        Stub broken = new Stub("broken", () -> { throw new IllegalStateException("no driver loaded"); });
        BackendHandle h = BackendRegistry.of(List.of(broken), Map.of()).get("broken").orElseThrow();
        assertFalse(h.usable());
        assertFalse(h.probe().available());
        assertTrue(h.probe().reason().contains("no driver loaded"), h.probe().reason());
    }

    @Test
    void backendWhoseProbeThrowsDoesNotStopTheOthersLoading() {
        Stub broken = new Stub("broken", () -> { throw new IllegalStateException("no driver loaded"); });
        Stub good = available("good");
        BackendRegistry r = BackendRegistry.of(List.of(broken, good), Map.of());
        assertEquals(List.of("broken", "good"), r.all().stream().map(BackendHandle::id).toList());
        assertTrue(r.get("good").orElseThrow().usable());
    }

    @Test
    void backendWhoseProbeThrowsAnErrorIsListedUnavailable() {
        Stub broken = new Stub("native", () -> { throw new UnsatisfiedLinkError("libOpenCL.so: not found"); });
        BackendRegistry r = BackendRegistry.of(List.of(broken, available("good")), Map.of());
        BackendHandle h = r.get("native").orElseThrow();
        assertFalse(h.usable());
        assertTrue(h.probe().reason().contains("libOpenCL"), h.probe().reason());
        assertTrue(r.get("good").orElseThrow().usable());
    }

    @Test
    void probeReturningNullIsUnavailable() {
        BackendHandle h = BackendRegistry.of(List.of(new Stub("null", () -> null)), Map.of()).get("null").orElseThrow();
        assertFalse(h.usable());
        assertTrue(h.probe().reason().contains("null"), h.probe().reason());
    }

    @Test
    void backendThatReportsUnavailableKeepsItsReason() {
        Stub absent = new Stub("gpu", () -> Probe.unavailable("no OpenCL platform"));
        BackendHandle h = BackendRegistry.of(List.of(absent), Map.of()).get("gpu").orElseThrow();
        assertFalse(h.usable());
        assertEquals("no OpenCL platform", h.probe().reason());
    }

    @Test
    void backendWhoseConfigureThrowsIsListedUnavailable() {
        Stub b = new Stub("picky", () -> Probe.available("x")) {
            @Override public void configure(Map<String, ?> config) { throw new IllegalArgumentException("kiln.picky.mode: unknown"); }
        };
        BackendHandle h = BackendRegistry.of(List.of(b), Map.of()).get("picky").orElseThrow();
        assertFalse(h.usable());
        assertTrue(h.probe().reason().contains("kiln.picky.mode"), h.probe().reason());
    }

    @Test
    void everyBackendIsConfiguredWithTheSettings() {
        Stub b = available("cpu");
        Map<String, String> settings = Map.of("kiln.cpu.threads", "2");
        BackendRegistry.of(List.of(b), settings);
        assertEquals(settings, b.configured.get());
    }

    @Test
    void secondBackendWithTheSameIdIsIgnored() {
        Stub first = available("cpu");
        Stub second = available("cpu");
        BackendRegistry r = BackendRegistry.of(List.of(first, second), Map.of());
        assertEquals(1, r.all().size());
        assertSame(first, r.get("cpu").orElseThrow().backend());
    }

    @Test
    void unknownIdIsNotFound() {
        assertTrue(BackendRegistry.of(List.of(available("cpu")), Map.of()).get("opencl").isEmpty());
    }

    @Test
    void closeClosesEveryBackendEvenWhenOneThrows() {
        Stub bad = new Stub("bad", () -> Probe.available("x")) {
            @Override public void close() { closed.incrementAndGet(); throw new IllegalStateException("close failed"); }
        };
        Stub good = available("good");
        BackendRegistry.of(List.of(bad, good), Map.of()).close();
        assertEquals(1, bad.closed.get());
        assertEquals(1, good.closed.get());
    }

    @Test
    void borrowingRegistryLeavesTheLentBackendsOpen() {
        Stub lent = available("lent");
        BackendRegistry r = BackendRegistry.borrowing(List.of(lent), Map.of());
        assertTrue(r.get("lent").orElseThrow().usable());
        r.close();
        assertEquals(0, lent.closed.get());
        BackendRegistry.of(List.of(lent), Map.of()).close();
        assertEquals(1, lent.closed.get());
    }
}
