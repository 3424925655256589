package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.JobResult;

import java.util.List;

/**
 * What the router chose, with every candidate's prediction, and whether it explored.
 *
 * @param features   the chosen backend's features for the job (what it learns against), or null
 * @param reservedMs predicted work the router booked on the chosen backend's queue until the
 *                   job completes (0 when none)
 * @param family     the job's family (what its iteration count is learned under), or null
 * @param movedFrom  the backend the job was first routed to, when an idle backend took it from
 *                   that queue ({@link Router#move}); null otherwise
 */
public record RoutingDecision(String chosen, double predictedMs, List<JobResult.Candidate> candidates, boolean explored,
                              Features features, double reservedMs, String family, String movedFrom) {
    public RoutingDecision(String chosen, double predictedMs, List<JobResult.Candidate> candidates, boolean explored,
                           Features features, double reservedMs, String family) {
        this(chosen, predictedMs, candidates, explored, features, reservedMs, family, null);
    }

    public RoutingDecision(String chosen, double predictedMs, List<JobResult.Candidate> candidates, boolean explored) {
        this(chosen, predictedMs, candidates, explored, null, 0, null, null);
    }

    /** Whether the router considered {@code backendId} for this job (it was capable when routed). */
    public boolean considered(String backendId) {
        for (JobResult.Candidate c : candidates) if (c.backend().equals(backendId)) return true;
        return false;
    }

    public JobResult.Routing toRouting() {
        return new JobResult.Routing(chosen, candidates, explored, movedFrom);
    }
}
