package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Optional;

/**
 * Picks the backend for a job among those that can run it. Implementations:
 * {@link EarliestFinishRouter} (the learned cost model, StarPU-style earliest finish time)
 * and {@link ShortestQueueRouter} (no model; the first router, kept as a baseline).
 * {@link #route} is called on the submitting thread and must be cheap; the callbacks come
 * from worker threads.
 */
public interface Router {
    /**
     * @param job        the job
     * @param candidates capable, available backends (never empty)
     * @return the decision; {@code chosen} must be one of the candidates
     */
    RoutingDecision route(Job job, List<Candidate> candidates);

    /**
     * A job ran to an outcome on {@code decision.chosen()}: learn from it. Called once per run
     * that produced an outcome (not for cancelled or expired jobs).
     *
     * @param solveMs    wall time of the solve
     * @param joules     energy the backend reported, or NaN
     * @param iterations iterations the backend reported (linear jobs), or &lt; 1 when none
     * @param succeeded  whether the job succeeded (only successful runs say how long the job takes)
     */
    default void observe(RoutingDecision decision, JobKind kind, double solveMs, double joules, long iterations,
                         boolean succeeded) { }

    /**
     * Late binding: {@code job} waits in {@code from}'s queue where {@code current} placed it, and a
     * worker of {@code to} is idle. The new decision when the job should run on {@code to} now (its
     * work booked there, {@code movedFrom} set), else empty. The runtime then releases {@code current}
     * once it has withdrawn the job, or the new decision ({@link #completed}, null result) when a
     * worker of {@code from} took the job first. Called on {@code to}'s idle worker. The default
     * never moves a job: a router without predictions cannot tell whether moving pays.
     */
    default Optional<RoutingDecision> move(Job job, RoutingDecision current, Candidate from, Candidate to) {
        return Optional.empty();
    }

    /** The job this decision placed has its final result (any status), or was refused ({@code result} null): its booked work is gone. Once per decision. */
    default void completed(RoutingDecision decision, JobResult result) { }

    /** Registers the router's own meters (decisions, exploration, prediction error). */
    default void bindMetrics(MeterRegistry registry) { }

    /** The learned cost model, when this router has one. */
    default Optional<CostModel> costModel() { return Optional.empty(); }

    /**
     * A capable backend and the state of its lane.
     *
     * @param queued   jobs waiting
     * @param running  jobs running
     * @param workers  jobs it runs at once
     * @param features what the backend says about the job, {@code null} when it could not say
     */
    record Candidate(String backendId, int queued, int running, int workers, Features features) {
        /** A candidate without features (a single worker). */
        public Candidate(String backendId, int queued, int running) {
            this(backendId, queued, running, 1, null);
        }
    }
}
