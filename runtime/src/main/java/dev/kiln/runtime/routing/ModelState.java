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
 * @param affine         the launch-cost + linear fit of time, or {@code null} (states written before it existed)
 * @param iterations     linear jobs: this backend's fits of ln(iterations) by family ("" for jobs without one),
 *                       or {@code null}
 */
public record ModelState(String backend, String kind, Fit time, Fit energy, long compared, double sumAbsLogError,
                         Affine affine, java.util.Map<String, Fit> iterations) {
    /**
     * One {@link LogLinearModel}: parameters, P row-major, noise, sample count, seen range of
     * ln(1 + work).
     */
    public record Fit(double[] theta, double[] p, double sigma2, long samples, double minLogWork, double maxLogWork) { }

    /**
     * One {@link AffineModel}: its weighted normal equations (A row-major, b), noise, sample
     * count, fastest run; and the prequential errors that choose between it and the power law.
     */
    public record Affine(double[] a, double[] b, double sigma2, long samples, double minMs, long scored,
                         double logLinearError, double affineError) { }
}
