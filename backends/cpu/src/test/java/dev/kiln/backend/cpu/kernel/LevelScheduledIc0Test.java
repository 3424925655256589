package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.kernel.ScalarCsrOperator;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.krylov.ConjugateGradient;
import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.krylov.SolveReport;
import dev.kiln.solvers.krylov.Termination;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.InvalidProblemException;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The level-scheduled IC(0) solves against the sequential reference
 * ({@link IncompleteCholeskyPreconditioner#apply}): equal bit for bit, on one part and threaded on
 * two, on matrices whose levels are large enough to run on the pool.
 */
class LevelScheduledIc0Test {
    private static final WorkerPool TWO = new WorkerPool(2);

    /** A random SPD matrix: a symmetric random pattern with a dominant diagonal (Gershgorin). */
    static CsrMatrix randomSpd(int n, int perRow, long seed) {
        Random rnd = new Random(seed);
        List<int[]> ij = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        double[] rowAbs = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < perRow; k++) {
                int j = rnd.nextInt(n);
                if (j == i) continue;
                double x = rnd.nextDouble() * 2 - 1;
                ij.add(new int[] {i, j}); v.add(x);
                ij.add(new int[] {j, i}); v.add(x);
                rowAbs[i] += Math.abs(x);
                rowAbs[j] += Math.abs(x);
            }
        }
        for (int i = 0; i < n; i++) { ij.add(new int[] {i, i}); v.add(rowAbs[i] + 1); }
        int[] r = new int[ij.size()], c = new int[ij.size()];
        double[] val = new double[ij.size()];
        for (int k = 0; k < r.length; k++) { r[k] = ij.get(k)[0]; c[k] = ij.get(k)[1]; val[k] = v.get(k); }
        return CooAssembler.fromCoo(n, n, r, c, val);
    }

    static List<CsrMatrix> matrices() {
        return List.of(
                CooAssembler.fromCoo(1, 1, new int[] {0}, new int[] {0}, new double[] {4}),
                PoissonGenerator.poisson2d(400, 400),          // anti-diagonal levels up to 400 rows
                PoissonGenerator.poisson3d(30, 30, 30),        // diagonal-plane levels up to ~700 rows
                PoissonGenerator.poisson2d(37, 29),
                randomSpd(20_000, 3, 7),                       // few, wide levels
                TestMatrices.fixture("nos3"),                  // needs a Manteuffel shift
                TestMatrices.fixture("gr_30_30"));
    }

    @Test
    void threadedAndSingleThreadedSolvesEqualTheSequentialReferenceBitForBit() {
        int parallelCases = 0;
        for (CsrMatrix a : matrices()) {
            IncompleteCholeskyPreconditioner ref = IncompleteCholeskyPreconditioner.of(a);
            int n = a.rows();
            double[] r = TestMatrices.vector(n, 11), expected = new double[n];
            ref.apply(r, expected);
            for (int parts : new int[] {1, 2}) {
                LevelScheduledIc0 f = LevelScheduledIc0.of(ref.factor(), ref.shift(), parts);
                if (parts == 2 && f.parallelSteps() > 0) parallelCases++;
                LevelScheduledIc0Solve s = f.newSolve(TWO);
                double[] z = new double[n];
                for (int rep = 0; rep < 3; rep++) {               // repeated: no state carried between applies
                    Arrays.fill(z, Double.NaN);
                    s.apply(r, z);
                    for (int i = 0; i < n; i++) {
                        if (Double.doubleToRawLongBits(z[i]) != Double.doubleToRawLongBits(expected[i])) {
                            throw new AssertionError(a + " parts " + parts + " levels " + f.levels() + ": z[" + i + "] = "
                                    + z[i] + ", reference " + expected[i]);
                        }
                    }
                }
            }
        }
        assertTrue(parallelCases >= 3, "only " + parallelCases + " matrices had levels run on the pool");
    }

    @Test
    void levelsOfTheFivePointLaplacianAreItsAntiDiagonals() {
        CsrMatrix a = PoissonGenerator.poisson2d(50, 30);
        LevelScheduledIc0 f = LevelScheduledIc0.of(a, 2);
        assertEquals(50 + 30 - 1, f.levels());
        // every entry of the renumbered L points to an earlier level, i.e. a smaller new index
        for (int k = 0; k < f.rows(); k++) for (int q = f.lPtr[k]; q < f.lPtr[k + 1]; q++) assertTrue(f.lCol[q] < k);
        for (int k = 0; k < f.rows(); k++) for (int q = f.uPtr[k]; q < f.uPtr[k + 1]; q++) assertTrue(f.uCol[q] > k);
    }

    @Test
    void pcgWithTheScheduledFactorTakesTheReferenceIterationsAndConverges() {
        CsrMatrix a = PoissonGenerator.poisson2d(300, 300);
        double[] b = new double[a.rows()];
        Arrays.fill(b, 1);
        SolveReport ref = ConjugateGradient.solve(new ScalarCsrOperator(a), ScalarKrylovKernels.INSTANCE, b, null,
                IncompleteCholeskyPreconditioner.of(a), 1e-8, 5000, null, null);
        PreparedSystem sys = CpuKernels.prepare(a);
        SolveReport rep = ConjugateGradient.solve(sys.operator(), sys.kernels(), b, null, CpuKernels.ic0(a), 1e-8, 5000, null, null);
        assertEquals(Termination.CONVERGED, rep.termination(), rep.toString());
        assertEquals(ref.iterations(), rep.iterations(), 1, "reference " + ref + ", scheduled " + rep);
    }

    @Test
    void applyAllocatesNothingAndTheScheduleIsCachedPerMatrix() {
        CsrMatrix a = PoissonGenerator.poisson2d(400, 400);
        assertSame(Ic0Cache.shared().get(a, 2), Ic0Cache.shared().get(a, 2));
        LevelScheduledIc0Solve s = LevelScheduledIc0.of(a, 2).newSolve(TWO);
        double[] r = TestMatrices.vector(a.rows(), 3), z = new double[a.rows()];
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        s.apply(r, z);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) s.apply(r, z);
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, bytes, 256, "allocated " + bytes + " bytes in 20 applies");
    }

    @Test
    void aMatrixWithoutAPositiveDiagonalIsRefusedAndAPoolOfAnotherSizeToo() {
        CsrMatrix bad = CooAssembler.fromCoo(2, 2, new int[] {0, 1}, new int[] {0, 1}, new double[] {1, -1});
        assertThrows(InvalidProblemException.class, () -> LevelScheduledIc0.of(bad, 2));
        LevelScheduledIc0 f = LevelScheduledIc0.of(PoissonGenerator.poisson2d(10, 10), 3);
        assertThrows(IllegalArgumentException.class, () -> f.newSolve(TWO));
    }
}
