package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Iterations a linear solve takes, learned from the counts finished jobs report, per backend ×
 * family (the client's key for related systems) and pooled over backends: a fit of
 * ln(iterations) on (1, ln(1 + n), ln(1 + nnz/n)). Krylov iteration counts follow a power of
 * the size within a family of discretised operators — CG on the 2-D Poisson matrix needs
 * O(√κ) = O(n^½) iterations, on the 3-D one O(n^⅓) (Saad, <i>Iterative Methods</i>, §6.11.3) —
 * and the mean row length tells the stencils of a mixed family apart. The backends' own
 * estimate (the CG bound min(n, maxIterations)) is off by orders of magnitude and by a factor
 * that grows with n, which skews a cost model of time against work.
 *
 * <p>An estimate needs {@link LogLinearModel#MIN_SAMPLES} counts for the backend × family, else
 * as many for the family on any backend (methods differ between backends, so their own counts
 * come first — but only for sizes they have seen: a backend the router sends only small jobs
 * would otherwise extrapolate its few small counts to a large job, when the pooled fit has
 * seen that size); else there is none and the backend's estimate stands. The fits are robust
 * (Huber) as the time fits.
 *
 * <p>A family no backend has counts for yet falls back to a fit over <em>every</em> count
 * (this backend's, else all backends'), not to the backend's estimate: the time fits learn
 * at the iterations jobs took, so predicting at the CG bound min(n, maxIterations) puts a
 * new family's work n ÷ (iterations taken) above the scale the time fit knows, ~30× for a
 * 96² 2-D Poisson system and more the larger it is (measured here: calibrated on unnamed 2-D
 * Poisson, the burst's {@code poisson2d}/{@code poisson3d} families were all predicted at the
 * bound, and the earliest-finish router booked 27–44 s for 1–2 s of solves;
 * {@code ./kiln bench routing --quick --case mixed}). Another family's counts are off by the
 * operator's conditioning, a factor of a few; the bound by orders of magnitude. Only when
 * nothing has been counted at all does the backend's estimate stand. Thread-safe.
 */
final class IterationModel {
    /** Family key of jobs that name none: they share one fit. */
    static final String NO_FAMILY = "";
    private static final String ANY_BACKEND = "*";

    /**
     * Most fits kept (backend × family plus pooled): a client naming a new family per job must
     * not grow memory (and the persisted state) without bound. ~200 bytes a fit; past the cap a
     * new family gets no fit and its jobs keep the backend's estimate.
     */
    static final int MAX_FITS = 4_096;

    private final Map<String, LogLinearModel> fits = new ConcurrentHashMap<>();
    /**
     * Every count, per backend and pooled ({@link #ANY_BACKEND}), whatever the family: the
     * last learned resort for a family without counts. Bounded by the number of backends;
     * relearned after a restart, as the pooled fits.
     */
    private final Map<String, LogLinearModel> allFamilies = new ConcurrentHashMap<>();

    static double[] vector(Features f) {
        double n = Math.max(1, f.n());
        return new double[] {1.0, Math.log1p(n), Math.log1p(Math.max(0, f.nnz()) / n)};
    }

    private static String key(String backend, String family) {
        return backend + "\u0000" + (family == null ? NO_FAMILY : family);
    }

    /**
     * Estimated iterations, or NaN when no backend has enough counts of any family. The
     * backend's own fit of the family when the size is inside the range it has seen (its
     * method may differ from the others'), else the family's pooled fit when that one has seen
     * the size, else whichever of the two has enough counts (own first), else the fit over
     * every family (own, then pooled).
     */
    double estimate(String backend, String family, Features f) {
        double[] x = vector(f);
        LogLinearModel own = fits.get(key(backend, family));
        LogLinearModel pooled = fits.get(key(ANY_BACKEND, family));
        double e = estimate(own, x, true);
        if (Double.isNaN(e)) e = estimate(pooled, x, true);
        if (Double.isNaN(e)) e = estimate(own, x, false);
        if (Double.isNaN(e)) e = estimate(pooled, x, false);
        if (Double.isNaN(e)) e = estimate(allFamilies.get(backend), x, false);
        if (Double.isNaN(e)) e = estimate(allFamilies.get(ANY_BACKEND), x, false);
        return e;
    }

    private static double estimate(LogLinearModel m, double[] x, boolean trustedOnly) {
        if (m == null) return Double.NaN;
        synchronized (m) {
            if (m.samples < LogLinearModel.MIN_SAMPLES || trustedOnly && !m.trusted(x)) return Double.NaN;
            return Math.max(1, Math.exp(m.mean(x)));
        }
    }

    /** Learns one finished solve's iteration count (ignored unless ≥ 1). */
    void observe(String backend, String family, Features f, long iterations) {
        if (iterations < 1) return;
        double[] x = vector(f);
        for (String k : new String[] {key(backend, family), key(ANY_BACKEND, family)}) {
            LogLinearModel m = fits.get(k);
            if (m == null) {
                if (fits.size() >= MAX_FITS) continue;
                m = fits.computeIfAbsent(k, kk -> new LogLinearModel());
            }
            synchronized (m) {
                m.observe(x, iterations);
            }
        }
        for (String k : new String[] {backend, ANY_BACKEND}) {
            LogLinearModel m = allFamilies.computeIfAbsent(k, kk -> new LogLinearModel());
            synchronized (m) {
                m.observe(x, iterations);
            }
        }
    }

    /** The backend's own fits by family, as persisted state. */
    java.util.Map<String, ModelState.Fit> state(String backend) {
        java.util.Map<String, ModelState.Fit> out = new java.util.TreeMap<>();
        String prefix = backend + "\u0000";
        fits.forEach((k, m) -> {
            if (k.startsWith(prefix)) {
                synchronized (m) {
                    out.put(k.substring(prefix.length()), PerformanceModel.fit(m));
                }
            }
        });
        return out;
    }

    /**
     * Replaces the backend's own fit of a family with a persisted one. The pooled fits are not
     * persisted: they are relearned from the next counts, and the backend's own fit answers meanwhile.
     */
    void restore(String backend, String family, ModelState.Fit f) {
        LogLinearModel m = new LogLinearModel();
        PerformanceModel.load(m, f);
        fits.put(key(backend, family), m);
    }

    /** Forgets a backend's own counts (the pooled fit keeps them: they were true of the family). */
    void reset(String backend) {
        fits.keySet().removeIf(k -> k.startsWith(backend + "\u0000"));
        allFamilies.remove(backend);
    }
}
