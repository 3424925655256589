package dev.kiln.runtime;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.metrics.KilnMetrics;
import dev.kiln.runtime.progress.ProgressBus;
import dev.kiln.runtime.progress.RateLimitedProgress;
import dev.kiln.runtime.routing.Router;
import dev.kiln.runtime.routing.RoutingDecision;
import dev.kiln.runtime.scheduling.BackendLane;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.store.JobStore;
import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.runtime.recycling.FamilyOrdering;
import dev.kiln.runtime.recycling.KrylovRecycler;
import dev.kiln.runtime.recycling.RecyclingConfig;
import dev.kiln.runtime.tuning.MethodTuner;
import dev.kiln.runtime.tuning.OmegaTuner;
import dev.kiln.runtime.tuning.Tuner;
import dev.kiln.runtime.tuning.TunerChain;
import dev.kiln.runtime.wire.JobDecoder;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.runtime.wire.WireLimits;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendException;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runtime: takes validated jobs from the adapters, routes each to a backend, runs it on
 * that backend's worker threads and completes its result future. Adapters never schedule;
 * this class never parses bytes or speaks a protocol.
 *
 * <p>Threads: {@link #submit}, {@link #cancel} and {@link #find} are non-blocking and may be
 * called from an event loop or the Kafka poll thread; solves run on the lanes' workers;
 * queued jobs expire on one timer thread.
 */
public final class KilnRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KilnRuntime.class);

    private final KilnConfig config;
    private final BackendRegistry backends;
    private final Router router;
    private final JobStore store;
    private final MatrixStore matrices;
    private final JobDecoder decoder;
    private final ProgressBus progress = new ProgressBus();
    private final Tuner tuner;
    private final FamilyOrdering ordering = new FamilyOrdering(); // issue 4: a family's waiting jobs run nearest-first
    private final Map<String, BackendLane> lanes = new LinkedHashMap<>();
    private final Map<String, Integer> laneWorkers = new LinkedHashMap<>();
    private final KilnMetrics metrics = new KilnMetrics();
    private final ScheduledExecutorService timer;
    private final long progressIntervalMs;
    private final long progressFirstAfterMs;
    private volatile boolean closed;

    public KilnRuntime(KilnConfig config, BackendRegistry backends, Router router) {
        this.config = config;
        this.backends = backends;
        this.router = router;
        this.store = new JobStore(config.getInt(KilnConfig.STORE_MAX_FINISHED), config.getLong(KilnConfig.STORE_TTL_MS));
        this.matrices = new MatrixStore(config.getLong(KilnConfig.MATRIX_STORE_NNZ));
        this.decoder = new JobDecoder(new WireLimits(config.getInt(KilnConfig.MAX_MESSAGE_BYTES),
                config.getInt(KilnConfig.MAX_UNKNOWNS), config.getLong(KilnConfig.MAX_NONZEROS), 32), matrices);
        this.progressIntervalMs = config.getLong(KilnConfig.PROGRESS_INTERVAL_MS);
        this.progressFirstAfterMs = config.getLong(KilnConfig.PROGRESS_FIRST_AFTER_MS);
        this.tuner = new TunerChain(new MethodTuner(), new OmegaTuner(), new KrylovRecycler(RecyclingConfig.from(config))); // issue 4: method, ω, recycling
        int capacity = config.getInt(KilnConfig.QUEUE_CAPACITY);
        int workers = config.getInt(KilnConfig.WORKERS);
        BackendLane.IdleWork idleWork = config.getBoolean(KilnConfig.ROUTING_LATE_BINDING) ? this::moveToIdle : null;
        for (BackendHandle h : backends.all()) {
            if (!h.usable()) continue;
            int n = workers > 0 ? workers : Math.max(1, h.backend().defaultConcurrency());
            lanes.put(h.id(), new BackendLane(h.id(), capacity, n, idleWork));
            laneWorkers.put(h.id(), n);
            metrics.lane(h.id(), () -> queued(h.id()), () -> running(h.id()));
        }
        router.bindMetrics(metrics.registry());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    public KilnConfig config() { return config; }
    public JobDecoder decoder() { return decoder; }
    public MatrixStore matrices() { return matrices; }
    public ProgressBus progress() { return progress; }
    public BackendRegistry backends() { return backends; }
    /** Learned solver parameters per family (issue 4). */
    public Tuner tuner() { return tuner; }
    public Router router() { return router; }
    public KilnMetrics metrics() { return metrics; }

    /** Jobs waiting on a backend's queue (0 for an unknown or unusable backend). */
    public int queued(String backendId) {
        BackendLane l = lanes.get(backendId);
        return l == null ? 0 : l.queued();
    }

    /** Jobs running on a backend now. */
    public int running(String backendId) {
        BackendLane l = lanes.get(backendId);
        return l == null ? 0 : l.running();
    }

    /**
     * Records a document that could not become a job (the decoder's rejection) as that job's
     * {@code rejected} result, so it can be fetched and published like any other.
     */
    public JobRecord reject(JobRejectedException e) {
        String id = e.jobId() != null ? e.jobId() : java.util.UUID.randomUUID().toString();
        JobResult r = JobResult.terminal(id, e.kind(), JobStatus.REJECTED, e.toError(), JobResult.Timing.ZERO);
        JobRecord rec = new JobRecord(id, e.kind(), r, System.nanoTime());
        // A bad document reusing the id of a known job must not answer for (or replace) that job:
        // the caller gets this document's rejection, filed only when the id was free.
        JobRecord stored = store.putIfAbsent(rec);
        if (stored == rec) metrics.finished(r);
        return rec;
    }

    /** Submits a validated job. Non-blocking; any thread. */
    public Submission submit(Job job) {
        long now = System.nanoTime();
        JobRecord rec = new JobRecord(job, now);
        JobRecord stored = store.putIfAbsent(rec);
        if (stored != rec) return new Submission.Accepted(stored, true);
        rec.result().whenComplete((r, e) -> { if (r != null) metrics.finished(r); });
        if (closed) {
            store.remove(rec);
            return new Submission.QueueFull("Kiln is shutting down");
        }
        List<Router.Candidate> candidates = new ArrayList<>();
        JobError refusal = candidates(job, Set.of(), candidates);
        if (refusal != null) {
            rec.finish(JobResult.terminal(job.id(), job.kind(), JobStatus.REJECTED, refusal, timing(rec, 0, System.nanoTime())));
            return new Submission.Rejected(rec);
        }
        RoutingDecision decision = router.route(job, candidates);
        QueuedRun queued = new QueuedRun(rec, decision, new HashSet<>(Set.of(decision.chosen())));
        rec.result().whenComplete((r, e) -> queued.release(r));
        if (!enqueue(rec, queued)) {
            store.remove(rec);
            metrics.refused(job.kind());
            queued.release(null); // never queued: release what the router booked
            return new Submission.QueueFull("queue of backend '" + decision.chosen() + "' is full ("
                    + config.getInt(KilnConfig.QUEUE_CAPACITY) + " jobs)");
        }
        if (job.options().deadlineMs() > 0) {
            timer.schedule(() -> expireIfQueued(rec), job.options().deadlineMs(), TimeUnit.MILLISECONDS);
        }
        return new Submission.Accepted(rec, false);
    }

    /** Capable, available backends for the job (excluding {@code tried}); an error when there are none. */
    private JobError candidates(Job job, Set<String> tried, List<Router.Candidate> out) {
        String wanted = job.options().backend();
        if (!job.options().autoBackend()) {
            Optional<BackendHandle> h = backends.get(wanted);
            if (h.isEmpty()) {
                return new JobError(ErrorCode.NO_BACKEND, "options.backend: unknown backend '" + wanted + "' (known: "
                        + String.join(", ", backends.all().stream().map(BackendHandle::id).toList()) + ", auto)");
            }
            if (!h.get().usable()) {
                return new JobError(ErrorCode.NO_BACKEND, "options.backend: backend '" + wanted + "' is unavailable: " + h.get().probe().reason());
            }
            if (tried.contains(wanted)) {
                return new JobError(ErrorCode.BACKEND_UNAVAILABLE, "backend '" + wanted + "' failed and the job asked for it alone");
            }
            Support s = supports(h.get().backend(), job);
            if (!s.supported()) return new JobError(s.code() == null ? ErrorCode.UNSUPPORTED : s.code(), s.reason());
            out.add(candidate(h.get(), job));
            return null;
        }
        // Refusals are kept as they come and put into words only when no backend can run the job:
        // joining the reasons for every job cost string work per refusing backend per job.
        List<Map.Entry<String, Support>> refused = new ArrayList<>(2);
        for (BackendHandle h : backends.all()) {
            if (!h.usable() || tried.contains(h.id())) continue;
            Support s = supports(h.backend(), job);
            if (s.supported()) out.add(candidate(h, job));
            else refused.add(Map.entry(h.id(), s));
        }
        if (out.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            for (Map.Entry<String, Support> r : refused) reasons.add(r.getKey() + ": " + r.getValue().reason());
            return new JobError(tried.isEmpty() ? ErrorCode.UNSUPPORTED : ErrorCode.BACKEND_UNAVAILABLE,
                    "no available backend can run this " + job.kind().wireName() + " job"
                            + (reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")"));
        }
        return null;
    }

    /** A capable backend's lane state and its features for the job (null when it cannot say). */
    private Router.Candidate candidate(BackendHandle h, Job job) {
        dev.kiln.spi.Features f;
        try {
            f = h.backend().features(job);
        } catch (RuntimeException e) {
            f = null;
        }
        return new Router.Candidate(h.id(), queued(h.id()), running(h.id()), laneWorkers.getOrDefault(h.id(), 1), f);
    }

    private static Support supports(Backend b, Job job) {
        try {
            Support s = b.supports(job);
            return s == null ? Support.no(ErrorCode.UNSUPPORTED, "supports() returned null") : s;
        } catch (RuntimeException e) {
            return Support.no(ErrorCode.UNSUPPORTED, "supports() failed: " + e);
        }
    }

    private boolean enqueue(JobRecord rec, QueuedRun task) {
        BackendLane lane = lanes.get(task.decision.chosen());
        rec.backend(task.decision.chosen());
        JobStatus before = rec.status();
        if (!rec.transition(before, JobStatus.QUEUED) && before != JobStatus.QUEUED) return true; // finished meanwhile
        return ordering.offer(lane, rec.job(), task);
    }

    /**
     * A job waiting in a backend's queue, bound to the router's decision; what a lane's worker runs.
     * The decision's booked work is released once: when the job's result is final, or when the job
     * is moved to another backend ({@link #moveToIdle}), whichever comes first.
     */
    private final class QueuedRun implements Runnable {
        final JobRecord rec;
        final RoutingDecision decision;
        final Set<String> tried;
        private final AtomicBoolean released = new AtomicBoolean();

        QueuedRun(JobRecord rec, RoutingDecision decision, Set<String> tried) {
            this.rec = rec;
            this.decision = decision;
            this.tried = tried;
        }

        @Override
        public void run() { KilnRuntime.this.run(rec, decision, tried); }

        void release(JobResult result) {
            if (released.compareAndSet(false, true)) router.completed(decision, result);
        }
    }

    /**
     * Late binding: an idle worker of {@code idleId} takes the newest job waiting on another backend
     * when the router says it finishes sooner here, now, than where it waits ({@link Router#move}).
     * Routing binds each job when it arrives, on predictions; in a burst every job is bound before
     * any has finished, so a backend the calibration thought fast got a queue it then took 70 s to
     * drain while the CPU backend sat idle (measured: {@code ./kiln bench routing --case mixed
     * --burst-only}, 29 Nov: 28 jobs booked on opencl at 813 ms took 70.4 s; the whole burst on the
     * CPU backend alone took ≈ 10 s). Only jobs the client let Kiln place ({@code backend: auto}),
     * only to a backend that was a candidate, only the newest (it waits longest), one at a time.
     * Runs on the idle worker.
     */
    private Runnable moveToIdle(String idleId) {
        if (closed) return null;
        BackendHandle idle = backends.get(idleId).orElse(null);
        if (idle == null) return null;
        for (BackendLane from : lanes.values()) {
            if (from.backendId().equals(idleId) || from.queued() == 0) continue;
            Runnable newest = from.newest();
            Runnable t = newest instanceof QueuedRun ? newest : ordering.newestTask(newest);
            if (!(t instanceof QueuedRun q)) continue;
            JobRecord rec = q.rec;
            Job job = rec.job();
            if (job == null || rec.status() != JobStatus.QUEUED || !job.options().autoBackend() || !q.decision.considered(idleId)) continue;
            // considered(idleId) above: the idle backend supported the job when it was routed.
            BackendHandle fromHandle = backends.get(from.backendId()).orElse(null);
            if (fromHandle == null) continue;
            Optional<RoutingDecision> m = router.move(job, q.decision, candidate(fromHandle, job), candidate(idle, job));
            if (m.isEmpty()) continue;
            boolean withdrawn = newest == q ? from.withdraw(q) : ordering.withdraw(from, newest, q);
            if (!withdrawn) {
                router.completed(m.get(), null); // a worker of the other lane took it meanwhile
                continue;
            }
            q.release(null);
            rec.backend(idleId);
            QueuedRun moved = new QueuedRun(rec, m.get(), new HashSet<>(Set.of(idleId)));
            rec.result().whenComplete((r, e) -> moved.release(r));
            return moved;
        }
        return null;
    }

    /** Runs on a lane worker. */
    private void run(JobRecord rec, RoutingDecision decision, Set<String> tried) {
        if (rec.status() != JobStatus.QUEUED) return; // cancelled or expired while waiting
        if (rec.deadlinePassed()) {
            expire(rec);
            return;
        }
        if (!rec.transition(JobStatus.QUEUED, JobStatus.RUNNING)) return;
        long start = System.nanoTime();
        rec.startedNanos(start);
        BackendHandle h = backends.get(decision.chosen()).orElseThrow();
        RateLimitedProgress sink = new RateLimitedProgress(progress, rec.id(), h.id(), progressIntervalMs, progressFirstAfterMs);
        Job job = rec.job();
        try {
            Job tuned = tuner.tune(job, h.backend()); // issue 4: learned method and ω in, outcome back out
            SolveOutcome out = tuner.learn(tuned, h.backend().solve(tuned, sink, rec), System.nanoTime() - start);
            if (MethodTuner.fellShort(job, tuned, out)) out = MethodTuner.withFallback(out, h.backend().solve(job, sink, rec));
            sink.flush();
            rec.finish(resultOf(rec, decision, out, start, System.nanoTime()));
        } catch (BackendException.Retriable e) {
            LOG.warn("backend '{}' failed job {} ({}); re-routing", h.id(), rec.id(), e.getMessage());
            List<Router.Candidate> cands = new ArrayList<>();
            JobError none = candidates(job, tried, cands);
            if (none != null) {
                rec.finish(failed(rec, decision, new JobError(ErrorCode.BACKEND_UNAVAILABLE,
                        "backend '" + h.id() + "' failed: " + e.getMessage() + "; " + none.message()), start));
                return;
            }
            RoutingDecision next = router.route(job, cands);
            rec.result().whenComplete((r, x) -> router.completed(next, r));
            tried.add(next.chosen());
            rec.backend(next.chosen());
            rec.transition(JobStatus.RUNNING, JobStatus.QUEUED);
            if (!lanes.get(next.chosen()).offer(() -> run(rec, next, tried))) {
                rec.finish(failed(rec, next, new JobError(ErrorCode.QUEUE_FULL,
                        "backend '" + h.id() + "' failed and the queue of '" + next.chosen() + "' is full"), start));
            }
        } catch (BackendException e) { // Fatal: the sealed hierarchy has no other case
            rec.finish(failed(rec, decision, new JobError(e.code(), e.getMessage()), start));
        } catch (RuntimeException | Error e) {
            LOG.error("backend '{}' threw on job {}", h.id(), rec.id(), e);
            rec.finish(failed(rec, decision, new JobError(ErrorCode.INTERNAL,
                    "backend '" + h.id() + "' threw " + e.getClass().getSimpleName() + ": " + e.getMessage()), start));
        }
    }

    private JobResult resultOf(JobRecord rec, RoutingDecision d, SolveOutcome out, long start, long end) {
        Job job = rec.job(); // still set: only this worker finishes a running job
        LinearOptions lin = job == null ? null : job.options().linear();
        JobStatus status;
        JobError error = out.error();
        if (error != null) {
            status = switch (error.code()) {
                case CANCELLED -> JobStatus.CANCELLED;
                case DEADLINE_EXCEEDED -> JobStatus.TIMED_OUT;
                default -> JobStatus.FAILED;
            };
        } else if (out.converged()) {
            status = JobStatus.SUCCEEDED;
        } else {
            status = JobStatus.FAILED;
            error = new JobError(ErrorCode.NOT_CONVERGED, "relative residual " + out.residualNorm() + " after "
                    + out.iterations() + " iterations is above the tolerance" + (lin == null ? "" : " " + lin.tolerance()));
        }
        router.observe(d, rec.kind(), (end - start) / 1e6, out.energyJoules(), out.iterations(), status == JobStatus.SUCCEEDED);
        boolean linear = rec.kind() == JobKind.LINEAR;
        // Linear jobs return x only when asked; other kinds' backends decide what their answer holds.
        double[] x = linear ? (lin != null && lin.returnSolution() ? out.solution() : null) : out.solution();
        return new JobResult(rec.id(), rec.kind(), status, error, d.chosen(), out.method(), out.parameters(),
                out.iterations(), linear ? out.residualNorm() : Double.NaN, linear ? out.converged() : null, x,
                timing(rec, start, end), new JobResult.Cost(d.predictedMs(), out.hardwareSeconds(), out.energyJoules()),
                d.toRouting(), out.answer());
    }

    private JobResult failed(JobRecord rec, RoutingDecision d, JobError error, long start) {
        long end = System.nanoTime();
        return new JobResult(rec.id(), rec.kind(), JobStatus.FAILED, error, d.chosen(), null, Map.of(), -1,
                Double.NaN, null, null, timing(rec, start, end), JobResult.Cost.NONE, d.toRouting());
    }

    private static JobResult.Timing timing(JobRecord rec, long start, long end) {
        long accepted = rec.acceptedNanos();
        long s = start == 0 ? end : start;
        return new JobResult.Timing((s - accepted) / 1_000_000L, (end - s) / 1_000_000L, (end - accepted) / 1_000_000L);
    }

    private void expireIfQueued(JobRecord rec) {
        if (rec.status() == JobStatus.QUEUED || rec.status() == JobStatus.ACCEPTED) expire(rec);
    }

    private void expire(JobRecord rec) {
        long now = System.nanoTime();
        rec.finish(JobResult.terminal(rec.id(), rec.kind(), JobStatus.TIMED_OUT, new JobError(ErrorCode.DEADLINE_EXCEEDED,
                "deadline of " + rec.deadlineMs() + " ms passed while the job waited in the queue of '"
                        + rec.backend() + "'"), timing(rec, 0, now)));
    }

    /**
     * Cancels a job: a queued one gets its {@code cancelled} result at once; a running one is
     * asked to stop and its backend returns the {@code cancelled} result at its next check.
     *
     * @return the record, or empty when no job has this id
     */
    public Optional<JobRecord> cancel(String id) {
        Optional<JobRecord> r = store.get(id);
        r.ifPresent(rec -> {
            rec.requestCancel();
            if (rec.status() == JobStatus.QUEUED || rec.status() == JobStatus.ACCEPTED) {
                rec.finish(JobResult.terminal(rec.id(), rec.kind(), JobStatus.CANCELLED,
                        new JobError(ErrorCode.CANCELLED, "cancelled by the client while queued"), timing(rec, 0, System.nanoTime())));
            }
        });
        return r;
    }

    public Optional<JobRecord> find(String id) { return store.get(id); }

    /** Up to {@code limit} jobs this process holds, newest first (live ones and recent results; the dashboard's list). */
    public List<JobRecord> recentJobs(int limit) { return store.newest(limit); }

    /**
     * Stops taking jobs; queued jobs are dropped without a result (their Kafka offsets are not
     * committed, so another replica or the next start runs them); running jobs get
     * {@code graceMs} to finish. Blocks the caller for at most about {@code graceMs}.
     */
    public void shutdown(long graceMs) {
        if (closed) return;
        closed = true;
        for (BackendLane lane : lanes.values()) {
            List<Runnable> dropped = lane.shutdown(0);
            if (!dropped.isEmpty()) LOG.info("handed back {} queued job(s) of backend '{}'", dropped.size(), lane.backendId());
        }
        long end = System.nanoTime() + graceMs * 1_000_000L;
        for (BackendLane lane : lanes.values()) {
            while (lane.running() > 0 && System.nanoTime() < end) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        timer.shutdownNow();
    }

    @Override
    public void close() {
        shutdown(config.getLong(KilnConfig.SHUTDOWN_GRACE_MS));
        backends.close();
    }

    /** Builds a runtime with every backend on the class path and in the plug-in folder ({@code kiln.plugins.dir}). */
    public static KilnRuntime start(KilnConfig config, Router router) {
        return new KilnRuntime(config, BackendRegistry.load(KilnRuntime.class.getClassLoader(),
                java.nio.file.Path.of(config.get(KilnConfig.PLUGINS_DIR)), config.withoutSecrets()), router); // plug-ins get no secrets
    }
}
