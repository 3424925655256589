package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.QuboProblem;

/**
 * What one single-flip annealing sweep of a QUBO costs, in variable visits, for the cost
 * model's features (work = (n + nnz) × iterations): a sweep visits every variable (a field
 * read, a random draw, maybe an exp) and reads a variable's couplings only when it flips, a
 * small share of the visits at the temperatures where an anneal spends its sweeps. So a
 * sweep's cost is n visits plus the couplings' share, {@code couplings / }{@link
 * #COUPLINGS_PER_VISIT}, not n + couplings (the share of the stored couplings a sweep reads
 * is what the flip rate makes it). Shared by the annealers that run this sweep (the CPU
 * backend's {@code SimulatedAnnealer}, the OpenCL backend's {@code anneal.cl}).
 */
public final class SweepCost {
    /**
     * Stored couplings that cost as much in a sweep as one variable visit. Measured here (a
     * throwaway probe, one thread, {@code SimulatedAnnealer} on Kiln's schedule, min of 25
     * anneals of 10 and 100 sweeps, the 12 instances of the routing bench's mixed workload in
     * {@code ../shared/data/qubo}; 29 Nov, load 10): a sweep cost 13–39 ns per variable against
     * 0.8–4.2 ns per (variable + coupling) — G11 (4 couplings a variable) 17 µs and G1 (48)
     * 31 µs a sweep at n = 800. Per family, ln(time ÷ (n + couplings/k)) spread least at k =
     * 64 (standard deviation Max-Cut 0.06, Beasley 0.10, MIS 0.15; at k = 1: 0.61, 0.72, 0.83).
     */
    public static final int COUPLINGS_PER_VISIT = 64;

    private SweepCost() { }

    /** The couplings' share of a sweep, in variable visits: stored couplings ÷ {@link #COUPLINGS_PER_VISIT}. */
    public static long couplingShare(QuboProblem q) {
        return q.colIdx().length / COUPLINGS_PER_VISIT;
    }
}
