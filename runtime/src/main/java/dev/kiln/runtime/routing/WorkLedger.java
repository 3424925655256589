package dev.kiln.runtime.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Predicted work (ms) placed on each backend and not yet completed: StarPU's dmda keeps the
 * same per-worker "expected end" to compute each task's finish time (Augonnet et al. 2011,
 * §5.2). Booked when a job is routed, released once when its result is final. Thread-safe.
 */
final class WorkLedger {
    private final Map<String, DoubleAdder> booked = new ConcurrentHashMap<>();

    double outstanding(String backend) {
        DoubleAdder a = booked.get(backend);
        return a == null ? 0 : Math.max(0, a.sum());
    }

    void book(String backend, double ms) {
        if (ms > 0) booked.computeIfAbsent(backend, k -> new DoubleAdder()).add(ms);
    }

    void release(String backend, double ms) {
        if (ms > 0) booked.computeIfAbsent(backend, k -> new DoubleAdder()).add(-ms);
    }
}
