package dev.kiln.runtime.routing;

/**
 * A cost model's prediction for one job on one backend.
 *
 * @param ms           predicted solve time in ms (the median of the log-normal fit); NaN when
 *                     the backend has never run a job of this kind
 * @param logMean      ln of the predicted ms
 * @param logSd        predictive standard deviation of ln(ms): noise plus parameter uncertainty
 * @param samples      observations the model has learned from
 * @param trusted      enough samples, and the job's size inside the range seen
 * @param energyJoules predicted energy; NaN when the backend never reported energy for this kind
 */
public record Prediction(double ms, double logMean, double logSd, long samples, boolean trusted, double energyJoules) {
    /** No model yet. */
    public static final Prediction UNKNOWN = new Prediction(Double.NaN, Double.NaN, Double.NaN, 0, false, Double.NaN);

    public boolean known() { return samples > 0; }

    /** The same prediction with its time scaled by e^ln (a correction; spread and energy unchanged). */
    public Prediction scaled(double ln) {
        return new Prediction(ms * Math.exp(ln), logMean + ln, logSd, samples, trusted, energyJoules);
    }
}
