package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InstanceReadersTest {
    private static final Path DATA = Path.of("../shared/data/qubo").toAbsolutePath().normalize();
    private static final Path DATA_FROM_MODULE = Path.of("../../shared/data/qubo").toAbsolutePath().normalize();

    private static Path data(String name) {
        Path p = DATA.resolve(name);
        if (!Files.exists(p)) p = DATA_FROM_MODULE.resolve(name);
        assumeTrue(Files.exists(p), "../shared/data/qubo/" + name + " absent");
        return p;
    }

    @Test
    void gsetTextWithCrlfAndTrailingSpacesIsRead() throws IOException {
        MaxCutGraph g = GsetReader.read(new StringReader("3 2 \r\n1 2 1 \r\n2 3 -1 \r\n"), 100);
        assertEquals(3, g.n());
        assertEquals(2, g.edges());
        assertEquals(1, g.cut(new byte[] {0, 1, 1}));
        assertEquals(-1, g.cut(new byte[] {0, 0, 1}));
    }

    @Test
    void gsetWithFewerEdgesThanAnnouncedIsRejectedNamingTheLine() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> GsetReader.read(new StringReader("3 3\n1 2 1\n2 3 1\n"), 100));
        assertEquals("line 4", e.field());
    }

    @Test
    void gsetWithAVertexOutOfRangeIsRejectedNamingTheLine() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> GsetReader.read(new StringReader("3 2\n1 2 1\n2 4 1\n"), 100));
        assertEquals("line 3", e.field());
    }

    @Test
    void gsetWithAWordForAWeightIsRejectedNamingTheLine() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> GsetReader.read(new StringReader("2 1\n1 2 one\n"), 100));
        assertEquals("line 2", e.field());
    }

    @Test
    void gsetHeaderOverTheLimitIsTooLarge() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> GsetReader.read(new StringReader("1000000 1\n1 2 1\n"), 100));
        assertEquals(InvalidProblemException.Code.TOO_LARGE, e.code());
    }

    @Test
    void beasleyObjectiveCountsOffDiagonalEntriesTwice() throws IOException {
        // maximise 3x1 + 2·(−1)x1x2 + 2x2: x=(1,1) gives 3 − 2 + 2 = 3, x=(1,0) gives 3.
        QuboProblem q = BeasleyReader.read(new StringReader(" 1 \n 2 3 \n 1 1 3 \n 1 2 -1 \n 2 2 2 \n"), 1, 100);
        assertEquals(-3, q.energy(new byte[] {1, 1}));
        assertEquals(-3, q.energy(new byte[] {1, 0}));
        assertEquals(-2, q.energy(new byte[] {0, 1}));
    }

    @Test
    void beasleyFileWithSeveralProblemsYieldsTheOneAsked() throws IOException {
        String two = "2\n1 1\n1 1 5\n2 1\n2 2 7\n";
        QuboProblem second = BeasleyReader.read(new StringReader(two), 2, 100);
        assertEquals(2, second.n());
        assertEquals(-7, second.energy(new byte[] {0, 1}));
    }

    @Test
    void beasleyTruncatedFileIsRejectedNamingTheLine() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> BeasleyReader.read(new StringReader("1\n3 3\n1 1 1\n1 2 1\n"), 1, 100));
        assertEquals("line 5", e.field());
    }

    @Test
    void realG1HasTheCanonicalSizes() throws IOException {
        MaxCutGraph g = GsetReader.read(data("g1.rud"));
        assertEquals(800, g.n());
        assertEquals(19176, g.edges());
    }

    @Test
    void realBqp50ReachesItsBestKnownValueWithTheOrLibraryConvention() throws IOException {
        QuboProblem q = BeasleyReader.read(data("bqp50-1.txt"));
        assertEquals(50, q.n());
        // No assignment is given with the file, so check the bound the convention implies:
        // the all-zero assignment has value 0 and every single variable's value is −aᵢ.
        assertEquals(0, q.energy(new byte[50]));
        assertTrue(q.maxAbsField() > 0);
    }

    @Test
    void realLavaMisWorkloadHasItsEdgeCount() throws IOException {
        QuboProblem q = IndependentSetQubo.read(data("mis-uniform-100-0.05-0.txt"));
        assertEquals(100, q.n());
        assertEquals(250, q.edges());
        assertEquals(-8, q.linear()[0]);
        assertEquals(128, q.coupling()[0]);
    }
}
