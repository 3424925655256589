package dev.kiln.runtime.progress;

import dev.kiln.spi.ProgressEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBusTest {
    private final ProgressBus bus = new ProgressBus();

    private static ProgressEvent event(String job, int iteration) {
        return new ProgressEvent(job, "cpu", iteration, 0.5, 1);
    }

    @Test
    void perJobSubscriberSeesOnlyItsJob() {
        List<ProgressEvent> seen = new CopyOnWriteArrayList<>();
        bus.subscribe("a", seen::add);
        bus.publish(event("a", 1));
        bus.publish(event("b", 1));
        assertEquals(List.of(event("a", 1)), seen);
    }

    @Test
    void closedSubscriptionReceivesNothingMore() throws Exception {
        List<ProgressEvent> seen = new CopyOnWriteArrayList<>();
        AutoCloseable sub = bus.subscribe("a", seen::add);
        bus.publish(event("a", 1));
        sub.close();
        bus.publish(event("a", 2));
        assertEquals(List.of(event("a", 1)), seen);
    }

    @Test
    void failingListenerDoesNotStopTheOthers() {
        List<ProgressEvent> seen = new CopyOnWriteArrayList<>();
        bus.subscribeAll(e -> { throw new IllegalStateException("listener bug"); });
        bus.subscribe("a", e -> { throw new IllegalStateException("listener bug"); });
        bus.subscribe("a", seen::add);
        bus.publish(event("a", 1));
        assertEquals(1, seen.size());
    }

    @Test
    void globalSubscriberSeesEveryJob() throws Exception {
        List<String> ids = new CopyOnWriteArrayList<>();
        AutoCloseable sub = bus.subscribeAll(e -> ids.add(e.jobId()));
        bus.publish(event("a", 1));
        bus.publish(event("b", 1));
        sub.close();
        bus.publish(event("c", 1));
        assertEquals(List.of("a", "b"), ids);
        assertTrue(!ids.contains("c"));
    }
}
