package dev.kiln.runtime.routing;

import dev.kiln.spi.Job;
import dev.kiln.spi.JobResult;

import java.util.ArrayList;
import java.util.List;

/**
 * The first router: no performance model yet, so it sends the job to the capable backend
 * with the least work waiting or running, ties going to the first registered (the CPU
 * backend loads first). Predictions are reported as unknown (NaN) rather than invented.
 * Replaced by the learned cost model (issue 8) behind the same {@link Router} seam.
 */
public final class ShortestQueueRouter implements Router {
    @Override
    public RoutingDecision route(Job job, List<Candidate> candidates) {
        Candidate best = candidates.get(0);
        List<JobResult.Candidate> all = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            all.add(new JobResult.Candidate(c.backendId(), Double.NaN, c.queued() + c.running()));
            if (c.queued() + c.running() < best.queued() + best.running()) best = c;
        }
        return new RoutingDecision(best.backendId(), Double.NaN, all, false);
    }
}
