package dev.kiln.runtime.routing;

import dev.kiln.spi.JobResult;

import java.util.List;

/** What the router chose, with every candidate's prediction, and whether it explored. */
public record RoutingDecision(String chosen, double predictedMs, List<JobResult.Candidate> candidates, boolean explored) {
    public JobResult.Routing toRouting() {
        return new JobResult.Routing(chosen, candidates, explored);
    }
}
