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
