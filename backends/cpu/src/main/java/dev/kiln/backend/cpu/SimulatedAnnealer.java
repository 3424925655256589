package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * One anneal of a QUBO, single-threaded, allocation-free after construction: sequential
 * sweeps over the variables in index order with Metropolis acceptance, as D-Wave's
 * {@code cpu_sa.cpp} (dwave-samplers) does, on cached local fields fᵢ = aᵢ + Σⱼ bᵢⱼxⱼ so a
 * flip costs O(degree): ΔEᵢ = (1 − 2xᵢ)·fᵢ, and flipping i adds ±bᵢⱼ to each neighbour's field.
 * A proposal with ΔE ≥ 44.36/β is skipped without drawing a random number (exp(−44.36) <
 * 2⁻⁶³, the resolution of the random draw; the same cut-off as cpu_sa.cpp).
 *
 * <p>After the last sweep a greedy descent flips any variable with ΔE < 0 until none is left,
 * so every read ends in a 1-flip local minimum (a "polish" neal leaves to the user).
 *
 * <p>Not thread-safe: one instance per worker thread, reused across reads.
 */
public final class SimulatedAnnealer {
    /** cpu_sa.cpp's skip threshold: −ln(2⁻⁶⁴) ≈ 44.36, beyond which exp(−βΔE) cannot beat a 64-bit draw. */
    static final double SKIP_THRESHOLD = 44.36;

    private final int n;
    private final LocalFields local;
    private final byte[] x;
    private final double[] field;
    private final Xorshift128Plus rng = new Xorshift128Plus();

    public SimulatedAnnealer(QuboProblem q) {
        this.local = new LocalFields(q);
        this.n = local.n;
        this.x = local.x;
        this.field = local.field;
    }

    /** Decides after each sweep whether the read goes on (time limit, target, cancellation). */
    @FunctionalInterface
    public interface SweepGuard {
        /** @return false to end the read now */
        boolean proceed(int sweep, double energy);
    }

    /**
     * Runs one read from a uniformly random start: {@code betas.length} sweeps, then the greedy
     * polish. Returns the number of sweeps done; the state is then in {@link #state()}.
     */
    public int anneal(long seed, double[] betas, SweepGuard guard) {
        rng.seed(seed);
        for (int i = 0; i < n; i++) x[i] = (byte) (rng.next() >>> 63);
        local.recompute();
        int sweeps = 0;
        while (sweeps < betas.length) {
            sweep(betas[sweeps]);
            sweeps++;
            if (!guard.proceed(sweeps, local.energy)) break;
        }
        descend();
        return sweeps;
    }

    private void sweep(double beta) {
        double skip = SKIP_THRESHOLD / beta;
        for (int i = 0; i < n; i++) {
            double delta = x[i] == 0 ? field[i] : -field[i];
            if (delta >= skip) continue;
            if (delta > 0 && Math.exp(-beta * delta) * 0x1p53 <= (rng.next() >>> 11)) continue;
            local.flip(i, delta);
        }
    }

    /** Greedy 1-flip descent to a local minimum (flips in index order while any ΔE < 0). */
    private void descend() {
        boolean improved = true;
        while (improved) {
            improved = false;
            for (int i = 0; i < n; i++) {
                double delta = x[i] == 0 ? field[i] : -field[i];
                if (delta < 0) {
                    local.flip(i, delta);
                    improved = true;
                }
            }
        }
    }

    public double energy() { return local.energy; }

    /** The current assignment (live; copy it to keep it). */
    public byte[] state() { return x; }
}
