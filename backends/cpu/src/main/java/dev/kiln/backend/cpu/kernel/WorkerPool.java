package dev.kiln.backend.cpu.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of kernel threads, one per core, that runs one data-parallel step at a
 * time: {@code task.run(part)} exactly once for every part in [0, {@link #parts()}). The caller
 * and the workers claim parts from a shared counter, so a part runs on whichever thread gets
 * to it first — the result does not depend on which, since a part's work is fixed.
 *
 * <p>Why not a {@code ForkJoinPool}: a CG iteration is three or four steps of a few hundred
 * microseconds; submitting tasks would allocate per step and wake threads through queues.
 * Here a step is a volatile epoch bump: workers spin briefly ({@link #SPIN_NANOS}) between
 * steps of one solve and park when the solve is over, so an idle pool costs nothing.
 *
 * <p>Sharing: one pool serves the process. A step that finds the pool busy (another job is
 * mid-step on it) runs all its parts on the caller's thread instead — the same parts in the
 * same order, so the results are bit-identical either way. Tasks must not throw; if one does,
 * the exception is rethrown on the caller after every part ended.
 */
public final class WorkerPool {
    /** Fill the task's fields, then {@link #run}: the epoch write publishes them to the workers. */
    public interface Task {
        void run(int part);
    }

    /**
     * How long a worker spins for the next step before parking: a CG iteration's scalar work
     * between two steps (α, β, the monitor) takes well under this, a gap between jobs far more.
     */
    static final long SPIN_NANOS = 200_000;

    private static final WorkerPool SHARED = new WorkerPool(Runtime.getRuntime().availableProcessors());

    private final int parts;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger next = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger done = new AtomicInteger();
    private volatile Task task;
    private volatile long epoch;
    private volatile Throwable failure;

    WorkerPool(int parts) {
        this.parts = Math.max(1, parts);
        workers = new Worker[this.parts - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** The process-wide pool, one part per available processor. */
    public static WorkerPool shared() { return SHARED; }

    /** Number of parts every step is split into (= threads, counting the caller). */
    public int parts() { return parts; }

    /** Runs {@code t.run(p)} for every part p, in parallel when the pool is free. */
    public void run(Task t) {
        if (parts == 1 || !busy.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) t.run(p);
            return;
        }
        try {
            failure = null;
            task = t;
            done.set(0);
            next.set(0);                               // volatile: a claim that sees 0 also sees task
            epoch++;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            // Parts are claimed, not assigned: when a worker is descheduled (the machine is shared
            // and oversubscribed), the caller runs its part instead of waiting a time slice for it.
            Throwable own = null;
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                try {
                    t.run(p);
                } catch (Throwable e) {
                    own = e;
                } finally {
                    done.incrementAndGet();
                }
            }
            int spins = 0;
            while (done.get() != parts) {
                if (++spins < 10_000) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable f = own != null ? own : failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            if (f != null) throw new IllegalStateException(f);
        } finally {
            busy.set(false);
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int id) {
            super("kiln-cpu-kernel-" + id);
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long e;
                long spinStart = System.nanoTime();
                int spins = 0;
                while ((e = epoch) == seen) {
                    if ((++spins & 1023) != 0 || System.nanoTime() - spinStart < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (epoch == seen) LockSupport.park(this);
                        parked = false;
                        spinStart = System.nanoTime();
                    }
                }
                seen = e;
                for (int p; (p = next.getAndIncrement()) < parts; ) {
                    try {
                        task.run(p);                   // read after the claim: the claimed step's task
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        done.incrementAndGet();
                    }
                }
            }
        }
    }
}
