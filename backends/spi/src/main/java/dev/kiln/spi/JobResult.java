package dev.kiln.spi;

import java.util.List;
import java.util.Map;

/**
 * The result of a job (wire format v1), published for every job including failures.
 * Optional numeric fields are {@code NaN}/{@code -1} when they do not apply; the encoder
 * leaves them out. {@code answer} holds kind-specific fields (QUBO energy, training losses).
 */
public record JobResult(String id, JobKind kind, JobStatus status, JobError error,
                        String backend, String method, Map<String, Object> parameters,
                        int iterations, double residualNorm, Boolean converged, double[] solution,
                        Timing timing, Cost cost, Routing routing, Map<String, Object> answer) {

    public JobResult {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        answer = answer == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(answer));
    }

    /** A result without kind-specific answer fields. */
    public JobResult(String id, JobKind kind, JobStatus status, JobError error, String backend, String method,
                     Map<String, Object> parameters, int iterations, double residualNorm, Boolean converged,
                     double[] solution, Timing timing, Cost cost, Routing routing) {
        this(id, kind, status, error, backend, method, parameters, iterations, residualNorm, converged, solution,
                timing, cost, routing, Map.of());
    }

    /** Milliseconds waiting in a queue, solving, and from acceptance to result. */
    public record Timing(long queuedMs, long solveMs, long totalMs) {
        public static final Timing ZERO = new Timing(0, 0, 0);
    }

    /** Predicted wall time, and modelled hardware time and energy (NaN when not reported). */
    public record Cost(double predictedMs, double hardwareSeconds, double energyJoules) {
        public static final Cost NONE = new Cost(Double.NaN, Double.NaN, Double.NaN);
    }

    /** One backend the router considered, with its predicted time (NaN when it has no model yet). */
    public record Candidate(String backend, double predictedMs, int queued) { }

    /**
     * Which backend ran the job, who else could have, and whether the choice explored.
     *
     * @param movedFrom the backend whose queue the job waited in before an idle backend took it
     *                  (the runtime's late re-binding), or null when it ran where it was routed
     */
    public record Routing(String chosen, List<Candidate> candidates, boolean explored, String movedFrom) {
        public Routing {
            candidates = candidates == null ? List.of() : List.copyOf(candidates);
        }

        public Routing(String chosen, List<Candidate> candidates, boolean explored) {
            this(chosen, candidates, explored, null);
        }
    }

    /** A result for a job that never ran: rejected at the edge, cancelled or expired in the queue. */
    public static JobResult terminal(String id, JobKind kind, JobStatus status, JobError error, Timing timing) {
        return new JobResult(id, kind, status, error, null, null, Map.of(), -1, Double.NaN, null, null,
                timing, Cost.NONE, null);
    }
}
