package dev.kiln.runtime.recycling;

import dev.kiln.runtime.scheduling.BackendLane;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When several jobs of one family wait on a backend's lane, runs them nearest-first: each time a
 * worker reaches one of the family's places in the queue, it takes the waiting job of that family
 * whose system is nearest to the one the family last started, so consecutive solves are as
 * similar as the waiting set allows and recycling (warm start, subspace) gains the most. This is
 * SKR's sorting step (Wang et al., "Accelerating Data Generation for Neural Operators via Krylov
 * Subspace Recycling", ICLR 2024, §4: order the systems so adjacent ones are similar, by a greedy
 * nearest-neighbour walk over their parameters), done online over the jobs present.
 *
 * <p>How, without touching the lane: a family job is put on the lane as a ticket, not as itself;
 * the job waits in its family's set. A ticket, when run, takes the nearest waiting job of its
 * family. Tickets are interchangeable within a family, so the lane's FIFO order between families
 * and unrelated jobs is exactly what it was, {@code queued()} counts stay right, and a full lane
 * still refuses the job (the set and the lane are updated under one lock per family).
 *
 * <p>Fairness inside a family: a waiting job passed over {@link #MAX_BYPASS} times is taken next
 * regardless of distance, so a stream of close newcomers cannot starve an outlier. Jobs without a
 * family, and non-linear jobs, go straight onto the lane. Thread-safe.
 */
public final class FamilyOrdering {
    /** Times the oldest waiting job may be passed over: a bounded delay of a few dozen solves. */
    static final int MAX_BYPASS = 32;

    private static final class Waiting {
        final ProblemSketch sketch;
        final Runnable task;
        int bypassed;

        Waiting(ProblemSketch sketch, Runnable task) {
            this.sketch = sketch;
            this.task = task;
        }
    }

    private static final class FamilyQueue {
        final List<Waiting> waiting = new ArrayList<>(); // oldest first
        boolean retired;
    }

    /** A family's place in a lane's queue: takes the family's nearest waiting job when run. */
    private final class Ticket implements Runnable {
        final String key;
        final String family;

        Ticket(String key, String family) {
            this.key = key;
            this.family = family;
        }

        @Override
        public void run() { runNearest(key, family); }
    }

    private final Map<String, FamilyQueue> queues = new ConcurrentHashMap<>();
    private final Map<String, ProblemSketch> lastStarted = new ConcurrentHashMap<>();

    /**
     * Puts the job's task on the lane, ordered within its family. False when the lane refused it
     * (full or closed); the job then waits nowhere.
     */
    public boolean offer(BackendLane lane, Job job, Runnable task) {
        if (job.family() == null || !(job.problem() instanceof LinearProblem p)) return lane.offer(task);
        String family = job.family();
        String key = lane.backendId() + '\u0000' + family;
        Waiting w = new Waiting(ProblemSketch.of(p, job.context()), task);
        while (true) {
            FamilyQueue q = queues.computeIfAbsent(key, k -> new FamilyQueue());
            synchronized (q) {
                if (q.retired) continue;               // emptied and removed meanwhile: take the new one
                q.waiting.add(w);
                if (lane.offer(new Ticket(key, family))) return true;
                q.waiting.remove(w);
                if (q.waiting.isEmpty()) retire(key, q);
                return false;
            }
        }
    }

    /**
     * When {@code laneTask} is one of this ordering's tickets: the task of its family's newest
     * waiting job (the one a move would take), else null. Any thread.
     */
    public Runnable newestTask(Runnable laneTask) {
        if (!(laneTask instanceof Ticket t)) return null;
        FamilyQueue q = queues.get(t.key);
        if (q == null) return null;
        synchronized (q) {
            return q.waiting.isEmpty() ? null : q.waiting.get(q.waiting.size() - 1).task;
        }
    }

    /**
     * Takes {@code task} (a job waiting behind the ticket {@code laneTask}) out of its family's set,
     * and one of the family's tickets off the lane. False when the job is no longer waiting (a
     * ticket ran it). When every ticket of the family is already in a worker's hands, none is
     * removed: that worker then takes another waiting job of the family, or none. Any thread.
     */
    public boolean withdraw(BackendLane lane, Runnable laneTask, Runnable task) {
        if (!(laneTask instanceof Ticket t)) return false;
        FamilyQueue q = queues.get(t.key);
        if (q == null) return false;
        synchronized (q) {
            int at = -1;
            for (int i = q.waiting.size() - 1; i >= 0; i--) {
                if (q.waiting.get(i).task == task) {
                    at = i;
                    break;
                }
            }
            if (at < 0) return false;
            q.waiting.remove(at);
            lane.withdrawNewest(r -> r instanceof Ticket k && k.key.equals(t.key));
            if (q.waiting.isEmpty()) retire(t.key, q);
            return true;
        }
    }

    /** A ticket: runs the family's waiting job nearest to the one it last started. */
    private void runNearest(String key, String family) {
        FamilyQueue q = queues.get(key);
        if (q == null) return;
        Waiting next;
        synchronized (q) {
            if (q.waiting.isEmpty()) return;
            next = pick(q.waiting, lastStarted.get(family));
            q.waiting.remove(next);
            lastStarted.put(family, next.sketch);
            if (q.waiting.isEmpty()) retire(key, q);
        }
        next.task.run();
    }

    private void retire(String key, FamilyQueue q) {
        q.retired = true;
        queues.remove(key, q);
    }

    /** Nearest to {@code last} (oldest among equals, the oldest when there is no last or it was bypassed too often). */
    static Waiting pick(List<Waiting> waiting, ProblemSketch last) {
        Waiting oldest = waiting.get(0);
        if (last == null || oldest.bypassed >= MAX_BYPASS) return oldest;
        Waiting best = oldest;
        double bestDistance = last.distance(oldest.sketch);
        for (int i = 1; i < waiting.size(); i++) {
            Waiting w = waiting.get(i);
            double d = last.distance(w.sketch);
            if (d < bestDistance) {
                best = w;
                bestDistance = d;
            }
        }
        if (best != oldest) for (Waiting w : waiting) if (w != best) w.bypassed++;
        return best;
    }

    /** Jobs waiting in family sets (for tests). */
    int waiting() {
        int n = 0;
        for (FamilyQueue q : queues.values()) {
            synchronized (q) {
                n += q.waiting.size();
            }
        }
        return n;
    }
}
