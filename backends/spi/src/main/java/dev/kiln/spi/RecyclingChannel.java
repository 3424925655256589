package dev.kiln.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a backend finds the {@link RecycleExchange} the runtime opened for the job it is
 * solving: {@code RecyclingChannel.lookup(job)} inside {@code Backend.solve}. A backend that does
 * not recycle ignores it.
 *
 * <p>Keyed by job id and matched on the identity of the {@link Job} object the runtime passes
 * to {@code solve}, so a job with the same id in another runtime of the same process (tests run
 * several) never sees another's exchange. The runtime closes an exchange after the solve; one
 * left open by a solve that threw is dropped when the same id opens again, and at most
 * {@link #MAX_OPEN} are held (oldest dropped), so a failing backend cannot make it grow.
 * Thread-safe.
 */
public final class RecyclingChannel {
    /** Exchanges held at most: far more than jobs can run at once (lanes × workers). */
    static final int MAX_OPEN = 1024;

    private record Opened(Job job, RecycleExchange exchange) { }

    private static final Map<String, Opened> OPEN = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Opened> eldest) {
            return size() > MAX_OPEN;
        }
    };

    private RecyclingChannel() {}

    /** Offers {@code exchange} to whichever backend solves exactly this job object. */
    public static void open(Job job, RecycleExchange exchange) {
        synchronized (OPEN) {
            OPEN.put(job.id(), new Opened(job, exchange));
        }
    }

    /** The exchange opened for this job object, or null. */
    public static RecycleExchange lookup(Job job) {
        synchronized (OPEN) {
            Opened e = OPEN.get(job.id());
            return e != null && e.job() == job ? e.exchange() : null;
        }
    }

    /** Withdraws the exchange opened for this job object (no-op for any other). */
    public static void close(Job job) {
        synchronized (OPEN) {
            Opened e = OPEN.get(job.id());
            if (e != null && e.job() == job) OPEN.remove(job.id());
        }
    }
}
