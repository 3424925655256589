package dev.kiln.backend.cpu;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.Ic0Cache;
import dev.kiln.backend.cpu.kernel.LevelScheduledIc0;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.backend.cpu.kernel.WorkerPool;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * IC(0)-PCG on a thread's kept work vectors answers as on fresh ones, bit for bit, whatever
 * the solves before it left in them: other sizes, other right-hand sides, the level order.
 */
class CgWorkspaceOfThreadTest {
    private static final double TOL = 1e-9;

    /** The same solve on a fresh workspace (CG allocates its own when given none). */
    private static SolveReport fresh(LevelScheduledIc0 f, double[] b) {
        PreparedSystem sys = CpuKernels.prepare(f, -1);
        double[] pb = new double[b.length];
        f.toNewOrder(b, pb);
        SolveReport r = ConjugateGradient.solve(sys.operator(), sys.kernels(), pb, null, f.newSolve(WorkerPool.shared()), TOL, 5000, null, null);
        double[] x = new double[b.length];
        f.toNaturalOrder(r.x(), x);
        return new SolveReport(r.termination(), r.iterations(), r.relativeResidual(), r.recursiveResidual(), x);
    }

    private static double[] rhs(int n, int seed) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = Math.sin(seed + 0.37 * i);
        return b;
    }

    private static void assertSameBits(SolveReport expected, SolveReport actual, String where) {
        assertEquals(Termination.CONVERGED, actual.termination(), where);
        assertEquals(expected.iterations(), actual.iterations(), where);
        assertEquals(Double.doubleToLongBits(expected.relativeResidual()), Double.doubleToLongBits(actual.relativeResidual()), where);
        for (int i = 0; i < expected.x().length; i++) {
            assertEquals(Double.doubleToLongBits(expected.x()[i]), Double.doubleToLongBits(actual.x()[i]), where + ": x[" + i + "]");
        }
    }

    @Test
    void solvesOnKeptVectorsOfOtherSizesAndRightHandSidesEqualFreshOnes() {
        CsrMatrix small = PoissonGenerator.poisson2d(21, 17), large = PoissonGenerator.poisson2d(45, 43);
        LevelScheduledIc0 fs = Ic0Cache.natural(small, CpuKernels.ic0Parts(small));
        LevelScheduledIc0 fl = Ic0Cache.natural(large, CpuKernels.ic0Parts(large));
        LevelScheduledIc0 levels = LevelScheduledIc0.inLevelOrder(fl, large, 64);    // the renumbered path, same n as fl
        Object[][] runs = {{fs, 1}, {fl, 2}, {fs, 3}, {fs, 4}, {levels, 5}, {fl, 6}, {fs, 1}};
        for (Object[] run : runs) {
            LevelScheduledIc0 f = (LevelScheduledIc0) run[0];
            double[] b = rhs(f.rows(), (Integer) run[1]);
            String where = f.rows() + " rows, " + f.ordering() + ", rhs " + run[1];
            assertSameBits(fresh(f, b), CpuIc0Cg.solve(f, b, null, TOL, 5000, null), where);
        }
    }

    @Test
    void oneWorkspaceIsKeptPerThreadAndOnlyForSmallSystems() {
        ConjugateGradient.Workspace w = CgWorkspaceOfThread.forRows(1000);
        assertSame(w, CgWorkspaceOfThread.forRows(1000));
        ConjugateGradient.Workspace other = CgWorkspaceOfThread.forRows(999);
        assertEquals(999, other.size());
        assertNotSame(w, CgWorkspaceOfThread.forRows(1000), "the kept one is replaced by the last size asked for");
        assertEquals(CgWorkspaceOfThread.MAX_ROWS, CgWorkspaceOfThread.forRows(CgWorkspaceOfThread.MAX_ROWS).size());
        assertNull(CgWorkspaceOfThread.forRows(CgWorkspaceOfThread.MAX_ROWS + 1));
    }
}
