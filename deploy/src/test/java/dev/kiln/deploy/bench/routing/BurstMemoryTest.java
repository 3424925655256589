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
}
