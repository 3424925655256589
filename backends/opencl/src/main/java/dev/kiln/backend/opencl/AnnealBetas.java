package dev.kiln.backend.opencl;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * The inverse temperatures of one anneal, the same schedule as the CPU backend's
 * {@code AnnealSchedule} (which this module cannot see: the CPU backend is a test dependency
 * only): geometric from β_hot to β_cold, one value per sweep, with D-Wave neal's default range
 * ({@code sampler.py}, {@code _default_ising_beta_range}): in Ising terms
 * (hᵢ = aᵢ/2 + Σⱼ bᵢⱼ/4, Jᵢⱼ = bᵢⱼ/4), β_hot = ln 2 / (2·maxᵢ(|hᵢ| + Σⱼ|Jᵢⱼ|)) and
 * β_cold = ln 100 / (2·min non-zero |hᵢ| or |Jᵢⱼ|).
 */
final class AnnealBetas {
    private AnnealBetas() { }

    /** β for each of {@code sweeps} sweeps, as floats (the kernel's type for β). */
    static float[] of(QuboProblem q, int sweeps) {
        double maxField = 0;
        double minWeight = Double.POSITIVE_INFINITY;
        int[] rp = q.rowPtr();
        double[] b = q.coupling();
        for (int i = 0; i < q.n(); i++) {
            double h = q.linear()[i] / 2;
            double sumJ = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++) {
                h += b[k] / 4;
                double j = Math.abs(b[k]) / 4;
                sumJ += j;
                if (j != 0) minWeight = Math.min(minWeight, j);
            }
            if (h != 0) minWeight = Math.min(minWeight, Math.abs(h));
            maxField = Math.max(maxField, Math.abs(h) + sumJ);
        }
        double hot = maxField == 0 ? 1 : Math.log(2) / (2 * maxField);
        double cold = Math.max(hot, Double.isInfinite(minWeight) ? hot : Math.log(100) / (2 * minWeight));
        float[] out = new float[sweeps];
        if (sweeps == 1) {
            out[0] = (float) cold;
            return out;
        }
        double ratio = Math.log(cold / hot) / (sweeps - 1);
        for (int s = 0; s < sweeps; s++) out[s] = (float) (hot * Math.exp(ratio * s));
        out[sweeps - 1] = (float) cold;
        return out;
    }
}
