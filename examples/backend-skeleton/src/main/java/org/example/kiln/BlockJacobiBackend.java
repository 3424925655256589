package org.example.kiln;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.Precision;
import dev.kiln.spi.Probe;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An example plug-in backend: the Jacobi iteration x ← x + D⁻¹(b − A·x) with the rows split
 * into blocks, each block updated by its own virtual thread every sweep (another execution
 * model than Kiln's CPU backend). Jacobi converges for strictly or irreducibly diagonally
 * dominant matrices (Saad, 2nd ed., §4.2.1, Theorem 4.9), so {@link #supports} takes only
 * those, with method {@code auto}; everything else is refused with the reason.
 *
 * <p>Threads: {@link #solve} runs on a Kiln worker thread and fans each sweep out to virtual
 * threads; it keeps no state between jobs.
 */
public final class BlockJacobiBackend implements Backend {
    /** Rows per virtual-thread block: big enough that a block's work dwarfs a thread hand-off. */
    private static final int BLOCK_ROWS = 4096;

    private volatile boolean closed;

    @Override
    public String id() { return "skeleton-jacobi"; }

    @Override
    public Probe probe() {
        // Nothing to detect: the "hardware" is the JVM's virtual threads.
        return closed ? Probe.unavailable("closed") : Probe.available("block-Jacobi on virtual threads (example plug-in)");
    }

    @Override
    public Support supports(Job job) {
        if (job.kind() != JobKind.LINEAR || !(job.problem() instanceof LinearProblem p)) {
            return Support.no(ErrorCode.UNSUPPORTED, "skeleton-jacobi runs linear jobs only");
        }
        if (job.options().linear().method() != LinearMethod.AUTO) {
            return Support.no(ErrorCode.UNSUPPORTED, "skeleton-jacobi runs method auto only (it is a Jacobi iteration)");
        }
        if (job.options().linear().precision() != Precision.FP64) {
            return Support.no(ErrorCode.UNSUPPORTED, "skeleton-jacobi computes in fp64 only");
        }
        if (!diagonallyDominant(p.a())) {
            return Support.no(ErrorCode.UNSUPPORTED, "Jacobi converges only for diagonally dominant matrices; this one is not");
        }
        return Support.YES;
    }

    @Override
    public Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        return new Features(p.size(), p.a().nnz(), job.options().linear().maxIterations(), 0L, Precision.FP64);
    }

    @Override
    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) throws dev.kiln.spi.BackendException {
        LinearProblem p = (LinearProblem) job.problem();
        CsrMatrix a = p.a();
        int n = a.rows();
        double tol = job.options().linear().tolerance();
        int maxIt = job.options().linear().maxIterations();
        double[] b = p.b();
        double[] x = p.x0() == null ? new double[n] : p.x0().clone();
        double[] next = new double[n];
        double[] diag = a.diagonal();
        double bnorm = Math.sqrt(dot(b, b));
        if (bnorm == 0) return outcome(0, 0, true, new double[n], null);
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        double[] partial = new double[blocks];
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            int it = 0;
            double rel = Double.POSITIVE_INFINITY;
            while (it < maxIt) {
                if (cancellation.shouldStop()) {
                    ErrorCode c = cancellation.cancelled() ? ErrorCode.CANCELLED : ErrorCode.DEADLINE_EXCEEDED;
                    return outcome(it, trueResidual(a, b, x, bnorm), false, x, new JobError(c, "stopped at sweep " + it));
                }
                final double[] cur = x, nxt = next;
                Future<?>[] fs = new Future<?>[blocks];
                for (int k = 0; k < blocks; k++) {
                    final int blk = k;
                    fs[k] = vt.submit(() -> {
                        int lo = blk * BLOCK_ROWS, hi = Math.min(n, lo + BLOCK_ROWS);
                        double rr = 0;
                        int[] rp = a.rowPtr(), ci = a.colIdx();
                        double[] v = a.values();
                        for (int i = lo; i < hi; i++) {
                            double s = 0;
                            for (int q = rp[i]; q < rp[i + 1]; q++) s += v[q] * cur[ci[q]];
                            double r = b[i] - s;          // residual of the current iterate
                            rr += r * r;
                            nxt[i] = cur[i] + r / diag[i];
                        }
                        partial[blk] = rr;
                    });
                }
                for (Future<?> f : fs) f.get();
                double rr = 0;
                for (double v : partial) rr += v;
                rel = Math.sqrt(rr) / bnorm;        // residual of x before this sweep
                if (!Double.isFinite(rel)) return outcome(it, rel, false, x, new JobError(ErrorCode.DIVERGED, "non-finite residual at sweep " + it));
                progress.report(it, rel);
                if (rel <= tol) break;               // x (not next) has the residual we measured
                double[] t = x; x = next; next = t;
                it++;
            }
            double truth = trueResidual(a, b, x, bnorm);
            return outcome(it, truth, truth <= tol, x, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.kiln.spi.BackendException.Retriable("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new dev.kiln.spi.BackendException.Fatal(ErrorCode.INTERNAL, "a Jacobi block failed: " + e.getCause(), e.getCause());
        }
    }

    private static SolveOutcome outcome(int it, double res, boolean converged, double[] x, JobError error) {
        return new SolveOutcome("jacobi-blocks", Map.of("blockRows", BLOCK_ROWS), it, res, converged && error == null, x, error,
                Double.NaN, Double.NaN);
    }

    /** |a_ii| ≥ Σ_{j≠i} |a_ij| in every row, strictly in at least one, positive diagonal. */
    static boolean diagonallyDominant(CsrMatrix a) {
        if (!a.isSquare()) return false;
        boolean strict = false;
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        for (int i = 0; i < a.rows(); i++) {
            double d = 0, off = 0;
            for (int q = rp[i]; q < rp[i + 1]; q++) {
                if (ci[q] == i) d = v[q];
                else off += Math.abs(v[q]);
            }
            if (!(d > 0) || d < off) return false;
            if (d > off) strict = true;
        }
        return strict;
    }

    private static double trueResidual(CsrMatrix a, double[] b, double[] x, double bnorm) {
        double[] ax = new double[a.rows()];
        a.multiply(x, ax);
        double rr = 0;
        for (int i = 0; i < ax.length; i++) rr += (b[i] - ax[i]) * (b[i] - ax[i]);
        return Math.sqrt(rr) / bnorm;
    }

    private static double dot(double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) s += u[i] * v[i];
        return s;
    }

    @Override
    public void close() { closed = true; }
}
