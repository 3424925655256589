package dev.kiln.runtime.scheduling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One backend's bounded queue and its worker threads. Solves run here, never on an event
 * loop or the Kafka poll thread. {@link #offer} refuses when the queue is full instead of
 * buffering without bound; the caller turns that into backpressure.
 *
 * <p>A worker that finds its queue empty asks {@link IdleWork} for a task waiting elsewhere (the
 * runtime moves a job from another backend's queue when the router says it finishes sooner here),
 * and asks again every {@link #IDLE_RECHECK_MS} while it stays idle. The queue is a deque so that
 * the newest task, the one that would wait longest, can be seen and withdrawn.
 */
public final class BackendLane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendLane.class);
    private static final Runnable POISON = () -> { };
    /**
     * How often an idle worker asks for work waiting elsewhere. A choice, not a measurement: a
     * job stuck behind a backend that turned out slow moves within this time of the moment it
     * pays to move it, and an idle worker wakes 50 times a second (a few µs each).
     */
    public static final long IDLE_RECHECK_MS = 20;

    /** Where an idle worker of a lane may find a task that waits on another lane. */
    @FunctionalInterface
    public interface IdleWork {
        /** A task for an idle worker of {@code backendId} to run now, or null. Runs on that worker. */
        Runnable taskFor(String backendId);
    }

    private final String backendId;
    private final LinkedBlockingDeque<Runnable> queue;
    private final IdleWork idleWork;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    public BackendLane(String backendId, int capacity, int workerCount) {
        this(backendId, capacity, workerCount, null);
    }

    /** @param idleWork asked by a worker that finds the queue empty; null: idle workers just wait */
    public BackendLane(String backendId, int capacity, int workerCount, IdleWork idleWork) {
        this.backendId = backendId;
        this.queue = new LinkedBlockingDeque<>(capacity);
        this.idleWork = idleWork;
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(this::work, "kiln-" + backendId + "-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    public String backendId() { return backendId; }

    /** Enqueues a task; false when the queue is full or the lane closed. Any thread. */
    public boolean offer(Runnable task) {
        return !closed && queue.offer(task);
    }

    /** Tasks waiting. */
    public int queued() { return queue.size(); }

    /** Tasks being run now. */
    public int running() { return running.get(); }

    /** The task queued last (it starts last), or null. Any thread. */
    public Runnable newest() {
        Runnable t = queue.peekLast();
        return t == POISON ? null : t;
    }

    /** Removes {@code task} from the queue; false when a worker took it first. Any thread. */
    public boolean withdraw(Runnable task) {
        return queue.removeLastOccurrence(task);
    }

    /** Removes the newest queued task that matches; false when none does. Any thread. */
    public boolean withdrawNewest(Predicate<Runnable> which) {
        for (Iterator<Runnable> it = queue.descendingIterator(); it.hasNext(); ) {
            Runnable t = it.next();
            if (t != POISON && which.test(t) && queue.removeLastOccurrence(t)) return true;
        }
        return false;
    }

    private void work() {
        while (true) {
            Runnable task;
            try {
                task = queue.pollFirst();
                if (task == null && idleWork != null && !closed) task = workFromElsewhere();
                if (task == null) {
                    task = idleWork == null ? queue.takeFirst() : queue.pollFirst(IDLE_RECHECK_MS, TimeUnit.MILLISECONDS);
                    if (task == null) continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            if (task == POISON) return;
            running.incrementAndGet();
            try {
                task.run();
            } catch (Throwable t) {
                // A task reports its own failures; anything reaching here is a bug that must not kill the worker.
                LOG.error("task on lane {} threw", backendId, t);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private Runnable workFromElsewhere() {
        try {
            return idleWork.taskFor(backendId);
        } catch (RuntimeException e) {
            LOG.error("looking for work for idle lane {} failed", backendId, e); // must not kill the worker
            return null;
        }
    }

    /** Drains waiting tasks (returned, not run) and stops the workers after their current task. */
    public List<Runnable> shutdown(long waitMs) {
        closed = true;
        List<Runnable> left = new ArrayList<>();
        queue.drainTo(left);
        for (int i = 0; i < workers.size(); i++) {
            while (!queue.offerLast(POISON)) queue.pollFirst();
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        for (Thread t : workers) {
            try {
                long left2 = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left2 > 0) t.join(left2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return left;
    }

    @Override
    public void close() { shutdown(0); }
}
