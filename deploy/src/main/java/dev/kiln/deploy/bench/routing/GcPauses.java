package dev.kiln.deploy.bench.routing;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The stop-the-world collector pauses of a pass, from the JVM's GC notifications, in the
 * {@link System#nanoTime()} clock of the bench's latencies, so a latency tail can be laid over
 * them. Concurrent cycles (ZGC's "Cycles" beans, G1's "Concurrent GC") are not pauses and are
 * left out; ZGC's "Pauses" beans and every other collector's beans are.
 */
final class GcPauses implements AutoCloseable {
    /** One pause: start and end in the nanoTime clock, the collector's bean name and GC cause. */
    record Pause(long startNanos, long endNanos, String collector, String cause) {
        double ms() { return (endNanos - startNanos) / 1e6; }
    }

    private final List<Pause> pauses = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    /** nanoTime at JVM start: GcInfo times are ms since then. */
    private final long jvmStartNanos;

    private GcPauses() {
        jvmStartNanos = System.nanoTime() - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
    }

    static GcPauses start() {
        GcPauses p = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (isConcurrent(gc.getName()) || !(gc instanceof NotificationEmitter e)) continue;
            e.addNotificationListener(p.listener, null, null);
            p.emitters.add(e);
        }
        return p;
    }

    static boolean isConcurrent(String beanName) {
        return beanName.endsWith("Cycles") || beanName.contains("Concurrent");
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long start = jvmStartNanos + info.getGcInfo().getStartTime() * 1_000_000L;
        long end = start + info.getGcInfo().getDuration() * 1_000_000L;
        synchronized (pauses) {
            pauses.add(new Pause(start, end, info.getGcName(), info.getGcCause()));
        }
    }

    /** The pauses seen so far (notifications arrive shortly after a pause ends). */
    List<Pause> pauses() {
        synchronized (pauses) {
            return List.copyOf(pauses);
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
