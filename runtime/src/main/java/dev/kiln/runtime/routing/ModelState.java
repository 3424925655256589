package dev.kiln.runtime.routing;

/**
 * A backend × kind performance model as persisted in {@code kiln.state} under
 * {@code costmodel/<backend>/<kind>}, so replicas share what they learn and a restart keeps
 * it. Plain numbers only: written as JSON by {@link ModelStateCodec}.
 *
 * @param backend        backend id
 * @param kind           job kind, wire name
 * @param time           fit of ln(solve ms)
 * @param energy         fit of ln(joules), or {@code null} when the backend reports no energy
 * @param compared       predictions later compared with the actual time
 * @param sumAbsLogError Σ |ln(actual / predicted)| over those
 */
public record ModelState(String backend, String kind, Fit time, Fit energy, long compared, double sumAbsLogError) {
    /**
     * One {@link LogLinearModel}: parameters, P row-major, noise, sample count, seen range of
     * ln(1 + work).
     */
    public record Fit(double[] theta, double[] p, double sigma2, long samples, double minLogWork, double maxLogWork) { }
}
