package dev.kiln.runtime.routing;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per backend, the factor by which its recent runs took longer (or shorter) than they were
 * booked for: the median of measured ÷ predicted over its last {@link #WINDOW} successful
 * runs, bounded to [1/{@link #BOUND}, {@link #BOUND}], 1 until {@link #MIN_RUNS} runs are in.
 * The router scales a backend's booked work by it, so a backend whose jobs currently run slower
 * than the model says (a burst contending for the same cores, a device throttling) looks as
 * busy as it is before the model has relearned. Measured here (./kiln bench routing --quick
 * --case mixed, burst trace): sim-half's small jobs ran 1-9 ms where 0.2-1.2 ms were booked,
 * its queue reached 30 jobs while its booked wait said a few ms, and 124 of 150 jobs went there.
 *
 * <p>The median, not the mean: up to half the window may be outliers (one GC pause) without
 * moving it. The bound keeps one odd window from making a backend look idle or blocked. The
 * ratio is against the prediction made at routing, so once the model has learned the new
 * speed its predictions match again and the factor returns to 1 within half a window — the
 * correction does not stack on a model that has caught up.
 *
 * <p>Thread-safe: runs are recorded from workers, factors read by routing threads (a volatile
 * read per backend; the median is computed when a run is recorded).
 */
final class BookingCorrection {
    /** Runs per backend the median is taken over: the window {@code GET /v1/backends} shows ({@link PerformanceModel#RECENT}). */
    static final int WINDOW = PerformanceModel.RECENT;
    /** Runs before the factor departs from 1: a median of fewer says little. */
    static final int MIN_RUNS = 4;
    /** Most the factor may scale booked work either way. */
    static final double BOUND = 4.0;

    private final Map<String, Ring> rings = new ConcurrentHashMap<>();

    /** Records one successful run: measured and predicted ms, both &gt; 0 (others are ignored). */
    void record(String backend, double measuredMs, double predictedMs) {
        if (!(measuredMs > 0) || !(predictedMs > 0) || !Double.isFinite(measuredMs) || !Double.isFinite(predictedMs)) return;
        rings.computeIfAbsent(backend, k -> new Ring()).add(measuredMs / predictedMs);
    }

    /** The factor for the backend's booked work (1 when it has too few runs). */
    double factor(String backend) {
        Ring r = rings.get(backend);
        return r == null ? 1.0 : r.factor;
    }

    private static final class Ring {
        private final double[] ratios = new double[WINDOW];
        private int count;
        private int next;
        volatile double factor = 1.0;

        synchronized void add(double ratio) {
            ratios[next] = ratio;
            next = (next + 1) % WINDOW;
            if (count < WINDOW) count++;
            if (count < MIN_RUNS) return;
            double[] s = Arrays.copyOf(ratios, count);
            Arrays.sort(s);
            double median = count % 2 == 1 ? s[count / 2] : 0.5 * (s[count / 2 - 1] + s[count / 2]);
            factor = Math.max(1 / BOUND, Math.min(BOUND, median));
        }
    }
}
