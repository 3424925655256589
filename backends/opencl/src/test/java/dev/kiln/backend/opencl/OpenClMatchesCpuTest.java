package dev.kiln.backend.opencl;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The OpenCL backend's answers equal the CPU backend's within the tolerance, on generated
 * matrices and on real SuiteSparse ones, with both kernel precisions.
 */
class OpenClMatchesCpuTest {
    private static OpenClBackend fp64;
    private static OpenClBackend fp32;
    private static final CpuBackend CPU = new CpuBackend();

    @BeforeAll
    static void open() {
        fp64 = new OpenClBackend();
        fp64.configure(Map.of());
        assumeTrue(fp64.probe().available(), () -> "no OpenCL device: " + fp64.probe().reason());
        fp32 = new OpenClBackend();
        fp32.configure(Map.of(OpenClConfig.PRECISION_CONFIG, "fp32"));
    }

    @AfterAll
    static void close() {
        if (fp64 != null) fp64.close();
        if (fp32 != null) fp32.close();
    }

    static Stream<Arguments> systems() throws Exception {
        return Stream.of(
                // κ bounds: 2D/3D Poisson κ ≈ 4/(π²h²) (LeVeque, "Finite Difference Methods", §2.10);
                // nos3 3.8e4, gr_30_30 3.8e2, 1138_bus 8.6e6 (SuiteSparse Matrix Collection's condest)
                Arguments.of("poisson2d-40", PoissonGenerator.poisson2d(40, 40), LinearMethod.PCG, 1e-8, 1e3),
                Arguments.of("poisson3d-12-shift", PoissonGenerator.poisson3d(12, 12, 12, 0.1), LinearMethod.CG, 1e-9, 1e3),
                Arguments.of("varcoef-30", ReferenceJobs.variableCoefficient2d(30), LinearMethod.PCG, 1e-8, 1e5),
                Arguments.of("nos3", mtx("nos3.mtx"), LinearMethod.PCG, 1e-8, 4e4),
                Arguments.of("gr_30_30", mtx("gr_30_30.mtx"), LinearMethod.CG, 1e-8, 1e3),
                Arguments.of("1138_bus", mtx("1138_bus.mtx"), LinearMethod.PCG, 1e-8, 1e7));
    }

    private static CsrMatrix mtx(String name) throws Exception {
        try (InputStream in = OpenClMatchesCpuTest.class.getResourceAsStream("/matrices/" + name)) {
            return MatrixMarketReader.read(in);
        }
    }

    @ParameterizedTest(name = "{0} {2} fp64")
    @MethodSource("systems")
    void fp64KernelsGiveTheCpuAnswer(String name, CsrMatrix a, LinearMethod method, double tol, double kappa)
            throws Exception {
        assumeTrue(fp64.device().info.fp64(), "the device has no cl_khr_fp64");
        compare(fp64, name, a, method, tol, kappa, "fp64");
    }

    @ParameterizedTest(name = "{0} {2} fp32")
    @MethodSource("systems")
    void fp32KernelsRefinedOnTheHostGiveTheCpuAnswer(String name, CsrMatrix a, LinearMethod method, double tol,
                                                                double kappa) throws Exception {
        compare(fp32, name, a, method, tol, kappa, "fp32");
    }

    private static void compare(OpenClBackend cl, String name, CsrMatrix a, LinearMethod method, double tol, double kappa,
                                String precision)
            throws Exception {
        double[] b = new double[a.rows()];
        Random rnd = new Random(7);
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() * 2 - 1;
        LinearOptions o = new LinearOptions(method, "auto", Double.NaN, tol, 20_000, Precision.FP64, true);
        Job job = new Job(name, JobKind.LINEAR, "test", null, LinearProblem.of(a, b, null),
                new JobOptions("auto", Objective.LATENCY, 0, 1, o));
        assertTrue(cl.supports(job).supported(), cl.supports(job).reason());
        SolveOutcome gpu = cl.solve(job, ProgressSink.NONE, Cancellation.NONE);
        SolveOutcome cpu = CPU.solve(job, ProgressSink.NONE, Cancellation.NONE);
        assertTrue(cpu.converged(), name + " on the cpu: " + cpu.error());
        assertTrue(gpu.converged(), name + " on opencl: " + gpu.error() + " residual " + gpu.residualNorm());
        assertEquals(precision, gpu.parameters().get("precision"));
        assertEquals(cpu.method(), gpu.method());
        assertNotNull(gpu.solution());
        assertEquals(ReferenceJobs.trueRelativeResidual(a, b, gpu.solution()), gpu.residualNorm(), 1e-6 * gpu.residualNorm());
        // Both relative residuals are under tol, so ‖x_cl − x_cpu‖/‖x‖ ≤ 2·κ(A)·tol (Higham, "Accuracy and
        // Stability of Numerical Algorithms", 2nd ed., §7.1).
        double diff = 0, norm = 0;
        for (int i = 0; i < b.length; i++) {
            double d = gpu.solution()[i] - cpu.solution()[i];
            diff += d * d;
            norm += cpu.solution()[i] * cpu.solution()[i];
        }
        assertTrue(Math.sqrt(diff / norm) <= 2 * kappa * tol,
                name + ": relative difference of the solutions " + Math.sqrt(diff / norm));
    }
}
