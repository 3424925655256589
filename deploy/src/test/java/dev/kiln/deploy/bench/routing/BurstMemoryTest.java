package dev.kiln.deploy.bench.routing;

import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BurstMemoryTest {
    /** A job whose matrix is 2-D Poisson side × side (n = side², nnz = 5n − 4·side). */
    private static Job poisson(String side) {
        int s = Integer.parseInt(side);
        var a = PoissonGenerator.poisson2d(s, s);
        return new Job("j" + side, JobKind.LINEAR, null, null, new LinearProblem(a, new double[s * s], null), null);
    }

    @Test
    void countsTheMatrixTwiceAndTenVectors() {
        assertEquals(2 * (12L * 460 + 4 * 101) + 80L * 100, BurstMemory.bytes(poisson("10")));
    }

    @Test
    void decodesTheLeadingJobsWhileTheyFitAndNoMoreThanOnePast() throws Exception {
        List<String> docs = List.of("10", "10", "10", "10");
        long one = BurstMemory.bytes(poisson("10"));
        List<String> decoded = new ArrayList<>();
        BurstMemory.Decoder d = doc -> { decoded.add(doc); return poisson(doc); };
        assertEquals(4, BurstMemory.decodeFitting(docs, d, 4 * one).size());
        decoded.clear();
        assertEquals(2, BurstMemory.decodeFitting(docs, d, 3 * one - 1).size());
        assertEquals(3, decoded.size(), "decoding stops at the first job over the budget");
        assertEquals(1, BurstMemory.decodeFitting(docs, d, 1).size(), "one job always runs, however large");
        assertEquals(0, BurstMemory.decodeFitting(List.of(), d, 1).size());
    }

    @Test
    void countsAQubosCouplingsAndATrainJobsDataSet() throws Exception {
        var decoder = new dev.kiln.runtime.wire.JobDecoder(dev.kiln.runtime.wire.WireLimits.defaults(), new dev.kiln.runtime.store.MatrixStore(1_000_000));
        // A 4-cycle: 8 stored couplings (both directions), 4 variables; twice (a backend's copy).
        Job cycle = decoder.decode("{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":4,\"edges\":[[0,1],[1,2],[2,3],[3,0]]}}}");
        assertEquals(2 * (12L * 8 + 12L * 4 + 4), BurstMemory.bytes(cycle));
        // Breast cancer: 569 rows × 30 features and a label each; logistic: 31 × 2 = 62 parameters, four copies.
        Job train = decoder.decode("{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"breast-cancer\"}},"
                + "\"options\":{\"optimizer\":\"adam\",\"epochs\":1}}");
        assertEquals(569L * (8 * 30 + 4) + 4 * 8L * 62, BurstMemory.bytes(train));
    }
}
