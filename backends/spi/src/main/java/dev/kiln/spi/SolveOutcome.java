package dev.kiln.spi;

import java.util.Map;

/**
 * What a backend returns for a job it ran to an end (converged or not). Failures the job
 * caused (not SPD, diverged) are outcomes with an {@code error}; failures of the backend are
 * {@link BackendException}s.
 *
 * @param method          what actually ran, e.g. {@code pcg+jacobi}
 * @param parameters      parameters used (e.g. {@code omega})
 * @param iterations      iterations performed
 * @param residualNorm    true relative residual ‖b−Ax‖₂/‖b‖₂ of the returned x
 * @param converged       whether residualNorm ≤ tolerance
 * @param solution        x (always computed; the runtime drops it unless asked)
 * @param error           why it did not succeed, or {@code null}
 * @param hardwareSeconds modelled device time for emulated hardware, else NaN
 * @param energyJoules    modelled or measured energy, else NaN
 * @param answer          kind-specific answer fields (QUBO energy and assignment, training
 *                        losses, ...), written as the result's {@code answer} object; values
 *                        are numbers, strings, booleans, arrays, lists or maps of those
 */
public record SolveOutcome(String method, Map<String, Object> parameters, int iterations, double residualNorm,
                           boolean converged, double[] solution, JobError error,
                           double hardwareSeconds, double energyJoules, Map<String, Object> answer) {
    public SolveOutcome {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        answer = answer == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(answer));
    }

    /** An outcome without kind-specific answer fields (linear solves). */
    public SolveOutcome(String method, Map<String, Object> parameters, int iterations, double residualNorm,
                        boolean converged, double[] solution, JobError error, double hardwareSeconds, double energyJoules) {
        this(method, parameters, iterations, residualNorm, converged, solution, error, hardwareSeconds, energyJoules, Map.of());
    }

    public boolean succeeded() { return error == null && converged; }
}
