package dev.kiln.runtime.scheduling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend's bounded queue and its worker threads. Solves run here, never on an event
 * loop or the Kafka poll thread. {@link #offer} refuses when the queue is full instead of
 * buffering without bound; the caller turns that into backpressure.
 */
public final class BackendLane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendLane.class);
    private static final Runnable POISON = () -> { };

    private final String backendId;
    private final BlockingQueue<Runnable> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    public BackendLane(String backendId, int capacity, int workerCount) {
        this.backendId = backendId;
        this.queue = new ArrayBlockingQueue<>(capacity);
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

    private void work() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
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

    /** Drains waiting tasks (returned, not run) and stops the workers after their current task. */
    public List<Runnable> shutdown(long waitMs) {
        closed = true;
        List<Runnable> left = new ArrayList<>();
        queue.drainTo(left);
        for (int i = 0; i < workers.size(); i++) {
            while (!queue.offer(POISON)) queue.poll();
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
