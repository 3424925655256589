package dev.kiln.benchmarks.jmh;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.RowPartition;
import dev.kiln.backend.cpu.kernel.VectorKrylovKernels;
import dev.kiln.backend.cpu.kernel.VectorKrylovKernelsFp32;
import dev.kiln.backend.cpu.kernel.WorkerPool;
import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.KrylovKernelsFp32;
import dev.kiln.solvers.kernel.ScalarKrylovKernels;
import dev.kiln.solvers.kernel.ScalarKrylovKernelsFp32;
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
 * The BLAS-1 and fused CG kernels ({@link KrylovKernels}, and the fp32 set of mixed precision):
 * Vector API ({@code impl=vector}, one part or split over the pool) against the scalar reference
 * ({@code impl=scalar}), on lengths that sit in L1/L2 (1 000), in L3 (100 000) and past it
 * (4 000 000 doubles = 32 MB a vector).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class KrylovKernelsBenchmark {
    @Param({"1000", "100000", "4000000"})
    public int n;

    @Param({"vector", "vector-threads", "scalar"})
    public String impl;

    private KrylovKernels k;
    private KrylovKernelsFp32 k32;
    private double[] x, y, p, q, r, z, inv;
    private float[] xf, yf, pf, qf, rf, zf, invf;
    private final double[] out = new double[2];

    @Setup(Level.Trial)
    public void setup() throws InterruptedException {
        CpuKernels.awaitWarmUp();
        x = Inputs.vector(n, 1);
        y = Inputs.vector(n, 2);
        p = Inputs.vector(n, 3);
        q = Inputs.vector(n, 4);
        r = Inputs.vector(n, 5);
        z = new double[n];
        inv = Inputs.vector(n, 6);
        for (int i = 0; i < n; i++) inv[i] = 1 + Math.abs(inv[i]);
        xf = Inputs.toFloat(x); yf = Inputs.toFloat(y); pf = Inputs.toFloat(p); qf = Inputs.toFloat(q);
        rf = Inputs.toFloat(r); zf = new float[n]; invf = Inputs.toFloat(inv);
        WorkerPool pool = WorkerPool.shared();
        RowPartition part = impl.equals("vector-threads") ? RowPartition.even(n, 16, pool.parts()) : RowPartition.single(n);
        k = impl.equals("scalar") ? ScalarKrylovKernels.INSTANCE : new VectorKrylovKernels(pool, part);
        k32 = impl.equals("scalar") ? ScalarKrylovKernelsFp32.INSTANCE : new VectorKrylovKernelsFp32(pool, part);
        check(k, k32, n, impl);
    }

    /** Every kernel of {@code k} and {@code k32} against the scalar references on fresh copies. */
    static void check(KrylovKernels k, KrylovKernelsFp32 k32, int n, String what) {
        KrylovKernels s = ScalarKrylovKernels.INSTANCE;
        double[] x = Inputs.vector(n, 11), y = Inputs.vector(n, 12), p = Inputs.vector(n, 13), q = Inputs.vector(n, 14);
        double[] inv = Inputs.vector(n, 15);
        for (int i = 0; i < n; i++) inv[i] = 1 + Math.abs(inv[i]);
        Checks.close(s.dot(n, x, y), k.dot(n, x, y), 1e-12, what + " dot");
        double[] y1 = y.clone(), y2 = y.clone();
        s.axpy(n, 0.3, x, y1);
        k.axpy(n, 0.3, x, y2);
        Checks.close(y1, y2, 1e-15, what + " axpy");
        s.xpay(n, x, -0.7, y1);
        k.xpay(n, x, -0.7, y2);
        Checks.close(y1, y2, 1e-14, what + " xpay");
        double[] x1 = x.clone(), x2 = x.clone(), r1 = y.clone(), r2 = y.clone(), z1 = new double[n], z2 = new double[n];
        double[] o1 = new double[2], o2 = new double[2];
        s.cgUpdate(n, 0.61, p, q, x1, r1, inv, z1, o1);
        k.cgUpdate(n, 0.61, p, q, x2, r2, inv, z2, o2);
        Checks.close(x1, x2, 1e-15, what + " cgUpdate x");
        Checks.close(r1, r2, 1e-15, what + " cgUpdate r");
        Checks.close(z1, z2, 1e-15, what + " cgUpdate z");
        Checks.close(o1, o2, 1e-12, what + " cgUpdate dots");
        KrylovKernelsFp32 s32 = ScalarKrylovKernelsFp32.INSTANCE;
        float[] xf = Inputs.toFloat(x), yf = Inputs.toFloat(y), pf = Inputs.toFloat(p), qf = Inputs.toFloat(q);
        float[] invf = Inputs.toFloat(inv);
        Checks.close(s32.dot(n, xf, yf), k32.dot(n, xf, yf), 1e-12, what + " fp32 dot");
        float[] xa = xf.clone(), xb = xf.clone(), ra = yf.clone(), rb = yf.clone(), za = new float[n], zb = new float[n];
        s32.cgUpdate(n, 0.61f, pf, qf, xa, ra, invf, za, o1);
        k32.cgUpdate(n, 0.61f, pf, qf, xb, rb, invf, zb, o2);
        Checks.close(xa, xb, 1e-6, what + " fp32 cgUpdate x");
        Checks.close(ra, rb, 1e-6, what + " fp32 cgUpdate r");
        Checks.close(o1, o2, 1e-6, what + " fp32 cgUpdate dots");   // r differs by fp32 ulps (FMA vs two roundings)
    }

    @Benchmark
    public double dot() {
        return k.dot(n, x, y);
    }

    @Benchmark
    public double[] axpy() {
        k.axpy(n, 1e-12, x, y);
        return y;
    }

    @Benchmark
    public double[] cgUpdateJacobi() {
        k.cgUpdate(n, 1e-12, p, q, x, r, inv, z, out);
        return out;
    }

    @Benchmark
    public double dotFp32() {
        return k32.dot(n, xf, yf);
    }

    @Benchmark
    public double[] cgUpdateJacobiFp32() {
        k32.cgUpdate(n, 1e-12f, pf, qf, xf, rf, invf, zf, out);
        return out;
    }
}
