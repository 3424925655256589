package dev.kiln.runtime.routing;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a backend's fit is off, by family and size: per backend × kind × family × size bucket
 * (⌊log₂(1 + n + nnz)⌋, a doubling of the footprint), the last {@link #WINDOW} runs' work,
 * bytes and time. A prediction is corrected by the median of their residuals ln(actual) −
 * ln(fit) — against the fit as it is now, so a fit that has since learned the region is not
 * corrected twice — shrunk by m/(m + 1) for m residuals (one run moves it half way) and
 * bounded to ×/÷ {@link #BOUND_FACTOR}. A bucket without runs borrows the nearest one within
 * {@link #REACH} buckets (both sides pooled at equal distance): a fit learned below a size
 * is usually off the same way just above it.
 *
 * <p>Why: each backend's fit is one curve over every family and size, and a backend's time
 * per unit of work is not one curve — it changes where the matrix leaves the cache and
 * between 2-D and 3-D stencils. A backend the router sends mostly small jobs has a fit
 * learned there, and predicted mid-size and large jobs 2–5× short (measured here: {@code
 * -Dkiln.bench.trace=true ./kiln bench routing --quick --case mixed --no-burst --jobs 400},
 * seeds 1/2/7: sim-half predicted 9–13 ms for runs of 17–30 ms, 10 ms for a 3-D run of 120;
 * those jobs carried most of the regret). Each such run is learned, but one run among hundreds
 * barely moves a global fit (no forgetting, Huber down-weights a 3× miss), so the same mistake
 * repeated job after job. StarPU keeps per-size history for the same reason (its history-based
 * models, one entry per data footprint, Augonnet et al., CCPE 2011 §4); here it is a
 * correction on the fit, which still answers for sizes no run has reached.
 *
 * <p>A wrong correction is cheap where it can flip a choice: it flips only decisions whose
 * true margin is smaller than its error, and the loss is at most that margin.
 *
 * <p>Bounded: at most {@link #MAX_KEYS} backend × kind × family keys (a client naming a new
 * family per job must not grow memory); past it, a new family is not corrected. Not persisted:
 * relearned from the next runs. Thread-safe.
 */
final class SizeBucketResiduals {
    /** Runs kept per bucket: the median of the last 8 follows a change within 4 runs. */
    static final int WINDOW = 8;
    /** Buckets a correction may be borrowed across (2 = a factor 4 in footprint). */
    static final int REACH = 2;
    /** Most the correction may scale a prediction either way. */
    static final double BOUND_FACTOR = 4.0;
    static final int MAX_KEYS = 4_096;
    private static final int BUCKETS = 64;

    /** ln of the fit's time at a work and bytes (the fit as it is now). */
    @FunctionalInterface
    interface Fit {
        double lnMs(double work, double bytes);
    }

    private final Map<String, Ring[]> keys = new ConcurrentHashMap<>();

    static String key(String modelKey, String family) {
        return modelKey + "\u0000" + (family == null ? IterationModel.NO_FAMILY : family);
    }

    /** ⌊log₂(1 + footprint)⌋. */
    static int bucket(long footprint) {
        return 63 - Long.numberOfLeadingZeros(Math.max(0, footprint) + 1);
    }

    /** Records one run (ms &gt; 0 and finite, else ignored). */
    void record(String key, long footprint, double work, double bytes, double ms) {
        if (!(ms > 0) || !Double.isFinite(ms)) return;
        Ring[] rings = keys.get(key);
        if (rings == null) {
            if (keys.size() >= MAX_KEYS) return;
            rings = keys.computeIfAbsent(key, k -> new Ring[BUCKETS]);
        }
        int b = bucket(footprint);
        Ring r;
        synchronized (rings) {
            r = rings[b];
            if (r == null) r = rings[b] = new Ring();
        }
        r.add(work, bytes, Math.log(ms));
    }

    /** The ln-correction for a job of this footprint (0 when no run is near enough). */
    double lnCorrection(String key, long footprint, Fit fit) {
        Ring[] rings = keys.get(key);
        if (rings == null) return 0;
        int b = bucket(footprint);
        double[] residuals = new double[2 * WINDOW];
        for (int d = 0; d <= REACH; d++) {
            int m = 0;
            for (int side = d == 0 ? 1 : -1; side <= 1; side += 2) {
                int i = b + side * d;
                if (i < 0 || i >= BUCKETS) continue;
                Ring r;
                synchronized (rings) {
                    r = rings[i];
                }
                if (r != null) m = r.residuals(fit, residuals, m);
            }
            if (m > 0) {
                Arrays.sort(residuals, 0, m);
                double median = m % 2 == 1 ? residuals[m / 2] : 0.5 * (residuals[m / 2 - 1] + residuals[m / 2]);
                double bound = Math.log(BOUND_FACTOR);
                return Math.max(-bound, Math.min(bound, median * m / (m + 1.0)));
            }
        }
        return 0;
    }

    /** Forgets every key starting with the prefix (a backend's reset). */
    void reset(String prefix) {
        keys.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private static final class Ring {
        private final double[] work = new double[WINDOW];
        private final double[] bytes = new double[WINDOW];
        private final double[] lnMs = new double[WINDOW];
        private int count;
        private int next;

        synchronized void add(double w, double b, double l) {
            work[next] = w;
            bytes[next] = b;
            lnMs[next] = l;
            next = (next + 1) % WINDOW;
            if (count < WINDOW) count++;
        }

        /** Appends this ring's residuals against the fit to out from index m; returns the new count. */
        synchronized int residuals(Fit fit, double[] out, int m) {
            for (int i = 0; i < count; i++) out[m++] = lnMs[i] - fit.lnMs(work[i], bytes[i]);
            return m;
        }
    }
}
