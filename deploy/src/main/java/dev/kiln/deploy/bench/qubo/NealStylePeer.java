package dev.kiln.deploy.bench.qubo;

import dev.kiln.solvers.qubo.AnnealSchedule;
import dev.kiln.backend.cpu.Xorshift128Plus;
import dev.kiln.solvers.problem.QuboProblem;

import java.util.ArrayList;
import java.util.List;

/**
 * The bench's baseline: a faithful single-threaded implementation of D-Wave's simulated
 * annealing sampler (dwave-samplers {@code cpu_sa.cpp}, the engine of dwave-neal), kept here
 * because dwave-samplers cannot be installed on this machine (no Python package registry).
 * What it does, as cpu_sa.cpp does: reads of {@code num_sweeps} = 1000 sweeps from a uniformly
 * random state; each sweep visits the variables in index order; Metropolis acceptance
 * exp(−βΔE) against a xorshift128+ draw; cached energy deltas updated on each flip; a proposal
 * with ΔE ≥ 44.36/β skipped outright; a geometric β schedule over neal's default range
 * (β_hot = ln 2/(2·max|field|), β_cold = ln 100/(2·min|coupling|), in Ising terms). No polish,
 * one thread; the read's final state is its sample. It keeps sampling reads until the time
 * budget or the target, recording when the best improved.
 */
final class NealStylePeer {
    static final int NUM_SWEEPS = 1000;

    record Result(double bestEnergy, List<long[]> improvements, long nanosToTarget, long reads) { }

    static Result run(QuboProblem q, long budgetNanos, double targetEnergy, long seed) {
        int n = q.n();
        int[] rp = q.rowPtr();
        int[] ci = q.colIdx();
        double[] b = q.coupling();
        double[] betas = AnnealSchedule.defaultFor(q).betas(NUM_SWEEPS);
        byte[] x = new byte[n];
        double[] delta = new double[n];
        Xorshift128Plus rng = new Xorshift128Plus();
        rng.seed(seed);
        List<long[]> improvements = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        long start = System.nanoTime();
        long reads = 0;
        long toTarget = -1;
        while (System.nanoTime() - start < budgetNanos) {
            for (int i = 0; i < n; i++) x[i] = (byte) (rng.next() >>> 63);
            // ΔE of flipping i, cached: (1 − 2xᵢ)(aᵢ + Σⱼ bᵢⱼxⱼ).
            for (int i = 0; i < n; i++) {
                double f = q.linear()[i];
                for (int k = rp[i]; k < rp[i + 1]; k++) f += b[k] * x[ci[k]];
                delta[i] = x[i] == 0 ? f : -f;
            }
            for (int s = 0; s < NUM_SWEEPS; s++) {
                double beta = betas[s];
                double threshold = 44.36 / beta;
                for (int i = 0; i < n; i++) {
                    double d = delta[i];
                    if (d >= threshold) continue;
                    if (d > 0 && Math.exp(-beta * d) * 0x1p53 <= (rng.next() >>> 11)) continue;
                    // Flip: neighbours' deltas change by bᵢⱼ·(1 − 2xⱼ)·(±1).
                    x[i] ^= 1;
                    double sign = x[i] == 1 ? 1 : -1;
                    for (int k = rp[i]; k < rp[i + 1]; k++) {
                        int j = ci[k];
                        delta[j] += (x[j] == 0 ? 1 : -1) * sign * b[k];
                    }
                    delta[i] = -d;
                }
            }
            reads++;
            double e = q.energy(x);
            if (e < best) {
                best = e;
                improvements.add(new long[] {System.nanoTime() - start, Double.doubleToLongBits(e)});
            }
            if (e <= targetEnergy) {
                toTarget = System.nanoTime() - start;
                break;
            }
        }
        return new Result(best, improvements, toTarget, reads);
    }
}
