package dev.kiln.runtime.routing;

import dev.kiln.spi.Job;

import java.util.List;

/**
 * Picks the backend for a job among those that can run it. The seam where the learned
 * cost model (StarPU-style earliest finish time) plugs in; the first implementation is
 * {@link ShortestQueueRouter}. Called on the submitting thread; must be cheap.
 */
public interface Router {
    /**
     * @param job        the job
     * @param candidates capable, available backends (never empty)
     * @return the decision; {@code chosen} must be one of the candidates
     */
    RoutingDecision route(Job job, List<Candidate> candidates);

    /** A capable backend and the work already waiting on it. */
    record Candidate(String backendId, int queued, int running) { }
}
