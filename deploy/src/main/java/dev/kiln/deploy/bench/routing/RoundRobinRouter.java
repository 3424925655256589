package dev.kiln.deploy.bench.routing;

import dev.kiln.runtime.routing.Router;
import dev.kiln.runtime.routing.RoutingDecision;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The simplest peer of the learned router: candidates in turn, blind to size and load. */
final class RoundRobinRouter implements Router {
    private final AtomicLong next = new AtomicLong();

    @Override
    public RoutingDecision route(Job job, List<Candidate> candidates) {
        Candidate c = candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
        List<JobResult.Candidate> all = new ArrayList<>();
        for (Candidate ci : candidates) all.add(new JobResult.Candidate(ci.backendId(), Double.NaN, ci.queued() + ci.running()));
        return new RoutingDecision(c.backendId(), Double.NaN, all, false);
    }
}
