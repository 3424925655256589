package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.matrix.CsrMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The warm-up and what it is for: once C2 has compiled the kernels, a matrix of a shape they have
 * not seen (sorted rows, a partial last chunk, empty rows, long CSR rows) runs on the compiled
 * code. Checked by allocation, not by time: Vector API code outside C2 allocates a box per
 * operation, so a kernel thrown back to the interpreter by an uncommon trap shows up as bytes.
 */
class KernelWarmUpTest {

    @Test
    void everyVariantRunsInARoundWithoutError() {
        List<Runnable> calls = KernelWarmUp.calls();   // throws if a shape lost its row order
        assertFalse(calls.isEmpty());
        for (Runnable c : calls) c.run();
    }

    @Test
    void theOwnOrderSolveShapesReachTheCarryingThePlainAndTheLongRowLoops() {
        // the shapes calls() runs in A's own order (LevelScheduledIc0Solve picks its loops from these)
        LevelScheduledIc0 grid = LevelScheduledIc0.of(dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(64, 60), 1, 4,
                LevelScheduledIc0.Ordering.NATURAL);
        LevelScheduledIc0 longRows = LevelScheduledIc0.of(KernelWarmUp.irregularSpd(600, 12, 3), 1, 4, LevelScheduledIc0.Ordering.NATURAL);
        LevelScheduledIc0 shortRows = LevelScheduledIc0.of(KernelWarmUp.irregularSpd(600, 2, 5), 1, 4, LevelScheduledIc0.Ordering.NATURAL);
        assertTrue(grid.carriesPredecessor && grid.lPtr[grid.n] < LevelScheduledIc0Solve.LONG_ROWS * grid.n, "the grid: carrying loops");
        assertTrue(longRows.lPtr[longRows.n] >= LevelScheduledIc0Solve.LONG_ROWS * longRows.n, "long rows: their own copies");
        assertTrue(!shortRows.carriesPredecessor && shortRows.lPtr[shortRows.n] < LevelScheduledIc0Solve.LONG_ROWS * shortRows.n,
                "short unchained rows: the plain loops");
    }

    @Test
    void theIrregularSetUpShapeTakesTheBranchesTheGridNeverTakes() {
        CsrMatrix a = KernelWarmUp.irregularSpd(600, 6, 1);
        assertTrue(a.isSymmetric(0.0));
        // IC(0) sparse dots find shared columns: some l_ik has a term Σ l_ij·l_kj (the grid's never do)
        dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.Factor f =
                dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.of(a).factor();
        assertEquals(0.0, dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.of(a).shift());
        assertTrue(sharesColumns(f), "no two rows of L share a column below the diagonal");
        // its level order leaves some renumbered rows unsorted (permute's sort path), SELL sorts it,
        // and it has no DIA form (the scan's give-up path)
        LevelScheduledIc0 levels = LevelScheduledIc0.of(a, 1);
        int[] inv = new int[a.rows()];
        for (int k = 0; k < a.rows(); k++) inv[levels.perm[k]] = k;
        boolean unsorted = false;
        for (int i = 0; i < a.rows() && !unsorted; i++) {
            for (int q = a.rowPtr()[i] + 1; q < a.rowPtr()[i + 1]; q++) unsorted |= inv[a.colIdx()[q]] < inv[a.colIdx()[q - 1]];
        }
        assertTrue(unsorted, "every renumbered row stays ascending");
        assertTrue(SellMatrix.of(levels.permuted(), SellOperator.LANES, SellOperator.LANES * CpuKernels.SIGMA_CHUNKS).sorted());
        assertEquals(null, DiagonalMatrix.of(levels.permuted(), DiagonalMatrix.MAX_DIAGONALS, DiagonalMatrix.MAX_FILL));
        assertTrue(dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.of(KernelWarmUp.breaksDown()).shift() > 0,
                "the breakdown shape factorised without a shift");
        // and the grid really does not share columns (why the irregular shape is there)
        assertFalse(sharesColumns(dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.of(
                dev.kiln.solvers.matrix.PoissonGenerator.poisson2d(40, 30)).factor()));
    }

    /** Some pair of rows i > k of L (k a column of row i) with a common column j < k. */
    private static boolean sharesColumns(dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner.Factor f) {
        int[] rp = f.rowPtr(), ci = f.colIdx();
        for (int i = 0; i < f.n(); i++) {
            for (int q = rp[i]; q < rp[i + 1]; q++) {                  // strict rows
                int k = ci[q];
                for (int a = rp[i]; a < q; a++) for (int b = rp[k]; b < rp[k + 1]; b++) if (ci[a] == ci[b]) return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(120)   // hang guard only
    void matricesOfNewShapesRunOnTheCompiledKernelsWithoutAllocating() throws InterruptedException {
        int rounds = CpuKernels.awaitWarmUp();
        assumeTrue(rounds > 0, "C2 did not compile every kernel during the warm-up here (" + rounds + "); nothing to check");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (CsrMatrix a : TestMatrices.all()) for (SpmvFormat f : new SpmvFormat[] {SpmvFormat.AUTO, SpmvFormat.CSR}) {
            PreparedSystem sys = CpuKernels.prepare(a, f, 1);
            SparseOperator op = sys.operator();
            KrylovKernels k = sys.kernels();
            int n = a.rows();
            double[] x = TestMatrices.vector(n, 1), y = new double[n], b = TestMatrices.vector(n, 2), out = new double[2];
            double[] xs = new double[n], r = TestMatrices.vector(n, 3), z = new double[n], inv = new double[n];
            java.util.Arrays.fill(inv, 0.5);
            Runnable all = () -> {
                op.apply(x, y);
                op.applyDot(x, y);
                op.residual(x, b, y);
                k.dot(n, x, y);
                k.xpay(n, x, 0.5, y);
                k.cgUpdate(n, 1e-9, x, b, xs, r, inv, z, out);
            };
            all.run();                                   // any uncommon trap would fire here
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10; i++) all.run();
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, bytes, 1024, a + " " + sys.describe() + " allocated " + bytes + " bytes in 10 rounds");
        }
    }
}
