package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans progress events out to listeners: global ones (the Kafka progress topic) and
 * per-job ones (an SSE stream). Listeners run on the solving thread, so they must only hand
 * the event off (a producer send, a Vert.x context hop).
 */
public final class ProgressBus {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressBus.class);
    private final List<Consumer<ProgressEvent>> global = new CopyOnWriteArrayList<>();
    private final Map<String, List<Consumer<ProgressEvent>>> perJob = new ConcurrentHashMap<>();

    public AutoCloseable subscribeAll(Consumer<ProgressEvent> l) {
        global.add(l);
        return () -> global.remove(l);
    }

    public AutoCloseable subscribe(String jobId, Consumer<ProgressEvent> l) {
        perJob.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(l);
        return () -> perJob.computeIfPresent(jobId, (k, v) -> {
            v.remove(l);
            return v.isEmpty() ? null : v;
        });
    }

    public void publish(ProgressEvent e) {
        for (Consumer<ProgressEvent> l : global) deliver(l, e);
        List<Consumer<ProgressEvent>> ls = perJob.get(e.jobId());
        if (ls != null) for (Consumer<ProgressEvent> l : ls) deliver(l, e);
    }

    private static void deliver(Consumer<ProgressEvent> l, ProgressEvent e) {
        try {
            l.accept(e);
        } catch (RuntimeException ex) {
            LOG.warn("progress listener failed: {}", ex.toString());
        }
    }
}
