package dev.kiln.benchmarks.jmh;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.LevelScheduledIc0;
import dev.kiln.backend.cpu.kernel.WorkerPool;
import dev.kiln.solvers.krylov.IncompleteCholeskyPreconditioner;
import dev.kiln.solvers.krylov.Preconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * z = (L·Lᵀ)⁻¹·r, IC(0)'s two triangular solves: the sequential reference in A's natural order
 * ({@code impl=reference}); the level ordering on one thread ({@code levels-1}: the order alone,
 * no threads); level-scheduled on every core of the shared pool ({@code levels}, levels under
 * {@code minRows} rows on the caller's thread); interface-last on every core ({@code interface}:
 * one pool step per solve, a slightly different preconditioner). The scheduled ones take vectors
 * in their own numbering, as the CPU backend's IC(0)-PCG runs them; setup checks they equal the
 * reference bit for bit (on A for the level order, A's factor renumbered; on the renumbered matrix for interface last).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class Ic0Benchmark {
    @Param({"poisson2d-512", "poisson2d-1024", "poisson3d-64"})
    public String matrix;

    @Param({"reference", "levels-1", "levels", "interface"})
    public String impl;

    /** Levels with fewer rows run on one thread ({@code levels} only). */
    @Param({"256"})
    public int minRows;

    private Preconditioner m;
    private double[] r, z;

    @Setup(Level.Trial)
    public void setup() throws InterruptedException {
        CpuKernels.awaitWarmUp();
        CsrMatrix a = Inputs.matrix(matrix);
        int n = a.rows();
        r = Inputs.vector(n, 1);
        z = new double[n];
        WorkerPool pool = WorkerPool.shared();
        String what = matrix + " " + impl + " minRows=" + minRows;
        if (impl.equals("reference")) {
            m = IncompleteCholeskyPreconditioner.of(a);
            return;                                           // the reference itself
        }
        LevelScheduledIc0 f = switch (impl) {
            case "levels-1" -> LevelScheduledIc0.of(a, 1, minRows, LevelScheduledIc0.Ordering.LEVELS);
            case "levels" -> LevelScheduledIc0.of(a, pool.parts(), minRows, LevelScheduledIc0.Ordering.LEVELS);
            case "interface" -> LevelScheduledIc0.of(a, pool.parts(), minRows, LevelScheduledIc0.Ordering.INTERFACE_LAST);
            default -> throw new IllegalArgumentException("impl " + impl + ": reference, levels-1, levels or interface");
        };
        if (impl.equals("interface") && pool.parts() > 1 && f.ordering() != LevelScheduledIc0.Ordering.INTERFACE_LAST) {
            throw new IllegalStateException(what + ": the interface-last ordering did not apply");
        }
        double[] rNew = new double[n], expected = new double[n];
        f.toNewOrder(r, rNew);
        double[] rOld = r;
        r = rNew;
        if (f.ordering() == LevelScheduledIc0.Ordering.LEVELS) {
            // A's own factor renumbered: the reference on A itself, vectors permuted
            double[] zA = new double[n];
            IncompleteCholeskyPreconditioner.of(a).apply(rOld, zA);
            f.toNewOrder(zA, expected);
        } else {
            IncompleteCholeskyPreconditioner.of(f.permuted()).apply(r, expected);
        }
        m = f.newSolve(pool);
        m.apply(r, z);
        Checks.close(expected, z, 0, what);
    }

    @Benchmark
    public Object apply() {
        m.apply(r, z);
        return z;
    }
}
