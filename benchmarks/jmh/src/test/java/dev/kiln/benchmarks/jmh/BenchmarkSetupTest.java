package dev.kiln.benchmarks.jmh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Runs every benchmark's {@code @Setup} checks on small inputs, so `mvn verify` proves the
 * kernels agree with the scalar references without timing anything.
 */
class BenchmarkSetupTest {

    @Test
    void everySpmvVariantAgreesWithTheScalarProductInSetup() throws InterruptedException {
        for (String format : new String[] {"auto", "csr", "scalar"}) for (String precision : new String[] {"fp64", "fp32"})
            for (int threads : new int[] {1, 0}) {
                SpmvBenchmark b = new SpmvBenchmark();
                b.matrix = "poisson2d-37";
                b.format = format;
                b.precision = precision;
                b.threads = threads;
                b.setup();
                b.spmv();
            }
    }

    @Test
    void everyKrylovKernelAgreesWithTheScalarReferenceInSetup() throws InterruptedException {
        for (String impl : new String[] {"vector", "vector-threads", "scalar"}) for (int n : new int[] {1, 31, 1001}) {
            KrylovKernelsBenchmark b = new KrylovKernelsBenchmark();
            b.n = n;
            b.impl = impl;
            b.setup();
            assertEquals(b.dot(), b.dot());
        }
    }

    @Test
    void everyIc0VariantEqualsTheSequentialReferenceInSetup() throws InterruptedException {
        for (String impl : new String[] {"reference", "levels-1", "levels", "interface"}) for (int minRows : new int[] {1, 256}) {
            Ic0Benchmark b = new Ic0Benchmark();
            b.matrix = "poisson2d-300";
            b.impl = impl;
            b.minRows = minRows;
            b.setup();
            b.apply();
        }
    }

    @Test
    void theSetupCheckFailsOnAWrongResult() {
        assertThrows(IllegalStateException.class,
                () -> Checks.close(new double[] {1, 2, 3}, new double[] {1, 2, 3.01}, 1e-12, "a wrong kernel"));
    }
}
