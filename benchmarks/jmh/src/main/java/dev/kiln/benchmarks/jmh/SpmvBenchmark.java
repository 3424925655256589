package dev.kiln.benchmarks.jmh;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.SpmvFormat;
import dev.kiln.solvers.kernel.ScalarCsrOperatorFp32;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;
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
 * y = A·x on the CPU backend's kernels: the format {@code auto} picks (DIA for these stencil
 * matrices), SELL-C-σ or CSR, fp64 or fp32 storage (fp64 sums), one thread or all cores; against the
 * plain-loop scalar CSR product ({@code format=scalar}). Bandwidth = bytes moved / time, with the
 * bytes as {@code ./kiln bench spmv} counts them: 12 per non-zero + 4 per row pointer + 16 per row
 * in fp64; 8 + 4 + 8 in fp32.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class SpmvBenchmark {
    @Param({"poisson2d-256", "poisson2d-1024", "poisson3d-64"})
    public String matrix;

    @Param({"auto", "sell", "csr", "scalar"})
    public String format;

    @Param({"fp64", "fp32"})
    public String precision;

    /** 1, or 0 for the backend's rule (all cores past its size threshold). */
    @Param({"1", "0"})
    public int threads;

    private SparseOperator op;
    private SparseOperatorFp32 op32;
    private CsrMatrix a;
    private double[] x, y;
    private float[] xf, yf;

    @Setup(Level.Trial)
    public void setup() throws InterruptedException {
        CpuKernels.awaitWarmUp();        // as in production: kernels compiled on every variant's profile
        a = Inputs.matrix(matrix);
        int n = a.rows();
        x = Inputs.vector(n, 1);
        y = new double[n];
        xf = Inputs.toFloat(x);
        yf = new float[n];
        String what = matrix + " " + format + " " + precision + " threads=" + threads;
        if (format.equals("scalar")) {
            if (precision.equals("fp32")) op32 = new ScalarCsrOperatorFp32(a);
            return;                                           // the reference itself
        }
        SpmvFormat f = switch (format) {
            case "csr" -> SpmvFormat.CSR;
            case "sell" -> SpmvFormat.SELL;
            default -> SpmvFormat.AUTO;
        };
        int t = threads == 0 ? -1 : threads;
        if (precision.equals("fp64")) {
            op = CpuKernels.prepare(a, f, t).operator();
            double[] ref = new double[n];
            ScalarKernels.spmv(a, x, ref);
            op.apply(x, y);
            Checks.close(ref, y, 1e-13, what);
            Checks.close(ScalarKernels.dot(n, x, ref), op.applyDot(x, y), 1e-12, what + " applyDot");
        } else {
            op32 = CpuKernels.prepareFp32(a, f, t).operator();
            float[] ref = new float[n];
            new ScalarCsrOperatorFp32(a).apply(xf, ref);
            op32.apply(xf, yf);
            Checks.close(ref, yf, 1e-6, what);
        }
    }

    @Benchmark
    public Object spmv() {
        if (op != null) {
            op.apply(x, y);
            return y;
        }
        if (op32 != null) {
            op32.apply(xf, yf);
            return yf;
        }
        ScalarKernels.spmv(a, x, y);
        return y;
    }
}
