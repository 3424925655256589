package dev.kiln.deploy.bench.routing;

import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.spi.Job;

import java.util.ArrayList;
import java.util.List;

/**
 * How many of the workload's jobs a burst can hold at once. A burst submits every job before the
 * first finishes, so all of their matrices live together; the full workload's 3-D jobs reach side
 * 160 (4.1·10⁶ unknowns, ≈ 0.45 GB each) and its 125 3-D jobs alone need ≈ 5 GB — the full
 * {@code ./kiln bench routing} ran out of a 5.3 GB heap in the burst (measured here, 29 Nov,
 * {@code OutOfMemoryError} in {@code PoissonGenerator.poisson3d} while decoding the burst's jobs).
 * The burst takes the workload's jobs in order while their estimated bytes fit the budget, and the
 * bench says how many it took.
 */
final class BurstMemory {
    /** Share of the heap the burst's jobs may take: solves, conversions and results need the rest. */
    static final double HEAP_SHARE = 0.4;

    private BurstMemory() { }

    /**
     * Bytes a queued and then running linear job holds: its CSR arrays (8 + 4 bytes a non-zero,
     * 4 a row pointer), a cached format conversion of about the same size, and ten vectors of n
     * doubles (b, x, the solution, a preconditioned CG's r, z, p, q and the diagonal's inverse,
     * with slack). A QUBO job: its couplings in CSR (8 + 4 bytes each, both directions), a row
     * pointer and a linear term per variable, twice (a backend's copy — the OpenCL buffers, the
     * emulator's quantised weights). A train job: its data set split, held per job (8 bytes a
     * value, 4 a label; the digits set ≈ 0.9 MB), plus the network's parameters and their
     * gradient and optimizer state (four copies).
     */
    static long bytes(Job job) {
        return switch (job.problem()) {
            case LinearProblem lp -> {
                long n = lp.a().rows();
                long csr = 12L * lp.a().nnz() + 4L * (n + 1);
                yield 2 * csr + 80L * n;
            }
            case QuboProblem q -> 2 * (12L * q.colIdx().length + 12L * q.n() + 4);
            case TrainProblem t -> {
                long rows = t.data().train().rows() + t.data().test().rows();
                yield rows * (8L * t.data().train().features() + 4) + 4 * 8L * t.size();
            }
        };
    }

    /**
     * The leading documents decoded in order while their jobs' bytes sum to at most budget (at least
     * one job when there is a document): decoding stops at the first job over it, so no more than
     * one job past the budget is ever built.
     */
    static List<Job> decodeFitting(List<String> docs, Decoder decode, long budget) throws Exception {
        List<Job> jobs = new ArrayList<>();
        long sum = 0;
        for (String d : docs) {
            Job j = decode.decode(d);
            sum += bytes(j);
            if (sum > budget && !jobs.isEmpty()) break;
            jobs.add(j);
        }
        return jobs;
    }

    /** A job decoder (the runtime's, which rejects a bad document with a checked exception). */
    @FunctionalInterface
    interface Decoder {
        Job decode(String doc) throws Exception;
    }

    /** The budget on this JVM: {@link #HEAP_SHARE} of the maximum heap. */
    static long budget() {
        return (long) (HEAP_SHARE * Runtime.getRuntime().maxMemory());
    }
}
