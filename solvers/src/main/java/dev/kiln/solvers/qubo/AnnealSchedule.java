package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * The inverse temperatures of one anneal: a geometric β schedule from β_hot to β_cold, one
 * value per sweep, with the default range D-Wave's neal derives from the instance
 * (dwave-neal {@code sampler.py}, {@code _default_ising_beta_range}): in Ising terms
 * (x = (1+s)/2, hᵢ = aᵢ/2 + Σⱼ bᵢⱼ/4, Jᵢⱼ = bᵢⱼ/4), β_hot = ln 2 / (2·maxᵢ(|hᵢ| + Σⱼ|Jᵢⱼ|)) so
 * that the largest possible flip is accepted with probability ½ at the start, and
 * β_cold = ln 100 / (2·min non-zero |hᵢ| or |Jᵢⱼ|) so that the smallest is accepted with
 * probability 1/100 at the end. A flip's ΔE is the same in Ising and QUBO terms (the two
 * energies differ by a constant), so the schedule applies to the QUBO directly. Shared by
 * every annealer (CPU, OpenCL, the bench's neal-style peer), so they anneal on one schedule.
 */
public record AnnealSchedule(double hotBeta, double coldBeta) {

    /** neal's default range for {@code q}. */
    public static AnnealSchedule defaultFor(QuboProblem q) {
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
        double cold = Double.isInfinite(minWeight) ? hot : Math.log(100) / (2 * minWeight);
        return new AnnealSchedule(hot, Math.max(cold, hot));
    }

    /** β for each of {@code sweeps} sweeps, geometric from hot to cold (numpy's geomspace). */
    public double[] betas(int sweeps) {
        double[] out = new double[sweeps];
        if (sweeps == 1) {
            out[0] = coldBeta;
            return out;
        }
        double ratio = Math.log(coldBeta / hotBeta) / (sweeps - 1);
        for (int s = 0; s < sweeps; s++) out[s] = hotBeta * Math.exp(ratio * s);
        out[sweeps - 1] = coldBeta;
        return out;
    }

    /** {@link #betas} as floats, for device kernels that take β in single precision. */
    public float[] betasFloat(int sweeps) {
        double[] d = betas(sweeps);
        float[] out = new float[sweeps];
        for (int s = 0; s < sweeps; s++) out[s] = (float) d[s];
        return out;
    }
}
