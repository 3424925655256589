package dev.kiln.runtime.store;

import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One job's life in this process: its status, its cancellation flag and the future of its
 * result. Status moves forward only ({@link #transition}); the result future completes
 * exactly once, whichever of worker, canceller or deadline timer gets there first.
 *
 * <p>Thread-safe: touched by the submitting thread, a worker, the HTTP event loop
 * (cancel, GET) and the deadline timer.
 */
public final class JobRecord implements Cancellation {
    private final String id;
    private final JobKind kind;
    private final String family;
    private final long deadlineMs;
    private volatile Job job; // dropped when the result is set: a finished record must not pin the job's matrix
    private final long acceptedNanos;
    private final long deadlineNanos;
    private final AtomicReference<JobStatus> status = new AtomicReference<>(JobStatus.ACCEPTED);
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();
    private volatile boolean cancelRequested;
    private volatile String backend;
    private volatile long startedNanos;

    public JobRecord(Job job, long acceptedNanos) {
        this.id = job.id();
        this.kind = job.kind();
        this.job = job;
        this.family = job.family();
        this.deadlineMs = job.options().deadlineMs();
        this.acceptedNanos = acceptedNanos;
        long d = deadlineMs;
        this.deadlineNanos = d > 0 ? acceptedNanos + d * 1_000_000L : Long.MAX_VALUE;
    }

    /** A record for a job rejected before it could be built; its result is already known. */
    public JobRecord(String id, JobKind kind, JobResult rejected, long acceptedNanos) {
        this.id = id;
        this.kind = kind;
        this.job = null;
        this.family = null;
        this.deadlineMs = 0;
        this.acceptedNanos = acceptedNanos;
        this.deadlineNanos = Long.MAX_VALUE;
        this.status.set(rejected.status());
        this.result.complete(rejected);
    }

    public String id() { return id; }
    public JobKind kind() { return kind; }
    /**
     * The job while it is not finished; {@code null} for a record of a rejected document and once the result is
     * set. The store keeps up to {@code kiln.store.max-finished} finished records, and a job holds its whole
     * problem (a matrix, a data set): kept, 10 000 records of 1 000-unknown systems pinned ~0.8 GB (issue 9's
     * heap test found it).
     */
    public Job job() { return job; }
    /** The job's family, kept after the job is dropped ({@code null} when it has none). */
    public String family() { return family; }
    /** The job's deadline option in ms (0: none), kept after the job is dropped. */
    public long deadlineMs() { return deadlineMs; }
    public long acceptedNanos() { return acceptedNanos; }
    public long deadlineNanos() { return deadlineNanos; }
    public JobStatus status() { return status.get(); }
    public String backend() { return backend; }
    public void backend(String b) { this.backend = b; }
    public long startedNanos() { return startedNanos; }
    public void startedNanos(long t) { this.startedNanos = t; }

    /**
     * Completes when the job reaches a terminal status. A copy per call: completing or
     * cancelling it does not touch the job (only {@link #finish} does).
     */
    public CompletableFuture<JobResult> result() { return result.copy(); }

    /** Moves from {@code from} to {@code to}; false when the job was elsewhere (e.g. already cancelled). */
    public boolean transition(JobStatus from, JobStatus to) {
        return status.compareAndSet(from, to);
    }

    /**
     * Sets the terminal result, once. Returns false when another party finished the job first.
     */
    public boolean finish(JobResult r) {
        while (true) {
            JobStatus s = status.get();
            if (s.terminal()) return false;
            if (status.compareAndSet(s, r.status())) {
                job = null;
                result.complete(r);
                return true;
            }
        }
    }

    public void requestCancel() { cancelRequested = true; }

    @Override
    public boolean cancelled() { return cancelRequested; }

    @Override
    public boolean deadlinePassed() { return System.nanoTime() - deadlineNanos > 0 && deadlineNanos != Long.MAX_VALUE; }
}
