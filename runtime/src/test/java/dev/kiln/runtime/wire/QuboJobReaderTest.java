package dev.kiln.runtime.wire;

import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.QuboOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuboJobReaderTest {
    private final JobDecoder decoder = new JobDecoder(WireLimits.defaults(), new MatrixStore(1_000_000));

    private static String job(String problem, String options) {
        return "{\"id\":\"q-1\",\"kind\":\"qubo\",\"problem\":" + problem + (options == null ? "" : ",\"options\":" + options) + "}";
    }

    private JobRejectedException rejected(String json, ErrorCode code, String field) {
        JobRejectedException e = assertThrows(JobRejectedException.class, () -> decoder.decode(json));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
        return e;
    }

    @Test
    void quboTermsBecomeAProblemWhoseEnergyIsXTransposeQX() throws Exception {
        Job j = decoder.decode(job("{\"qubo\":{\"n\":2,\"terms\":[[0,0,1],[0,1,2],[1,0,3],[1,1,-4]]}}", null));
        assertEquals(JobKind.QUBO, j.kind());
        QuboProblem q = (QuboProblem) j.problem();
        assertEquals(QuboProblem.Origin.QUBO, q.origin());
        assertEquals(2, q.energy(new byte[] {1, 1}));
        assertEquals(-4, q.energy(new byte[] {0, 1}));
    }

    @Test
    void maxCutEdgesBecomeAQuboWhoseEnergyIsMinusTheCut() throws Exception {
        Job j = decoder.decode(job("{\"maxcut\":{\"n\":3,\"edges\":[[0,1,1],[1,2,2],[0,2]]}}", null));
        QuboProblem q = (QuboProblem) j.problem();
        assertEquals(QuboProblem.Origin.MAXCUT, q.origin());
        // {1} against {0,2}: edges 0-1 (1) and 1-2 (2) are cut.
        assertEquals(-3, q.energy(new byte[] {0, 1, 0}));
    }

    @Test
    void optionsAreReadWithDefaultsForTheRest() throws Exception {
        Job j = decoder.decode(job("{\"maxcut\":{\"n\":2,\"edges\":[[0,1,1]]}}",
                "{\"timeLimitMs\":250,\"sweeps\":300,\"replicas\":4,\"target\":1,\"seed\":9,\"schedule\":\"linear\"}"));
        QuboOptions o = j.options().kind(QuboOptions.class);
        assertEquals(250, o.timeLimitMs());
        assertEquals(300, o.sweeps());
        assertEquals(4, o.replicas());
        assertEquals(1.0, o.target());
        assertEquals("linear", o.schedule());
        assertEquals(QuboOptions.defaults().refractScaling(), o.refractScaling());
        assertEquals(9, j.options().seed());
    }

    @Test
    void withoutOptionsThereIsNoTarget() throws Exception {
        Job j = decoder.decode(job("{\"qubo\":{\"n\":1,\"terms\":[]}}", null));
        assertTrue(Double.isNaN(j.options().kind(QuboOptions.class).target()));
    }

    @Test
    void termIndexOutOfRangeIsRejectedNamingTheTerm() {
        rejected(job("{\"qubo\":{\"n\":2,\"terms\":[[0,1,1],[0,2,1]]}}", null), ErrorCode.INVALID_PROBLEM, "problem.qubo.terms[1]");
    }

    @Test
    void termThatIsNotATripleIsRejectedNamingTheTerm() {
        rejected(job("{\"qubo\":{\"n\":2,\"terms\":[[0,1]]}}", null), ErrorCode.INVALID_PROBLEM, "problem.qubo.terms[0]");
    }

    @Test
    void weightThatOverflowsToInfinityIsRejectedNamingTheTerm() {
        JobRejectedException e = rejected(job("{\"qubo\":{\"n\":2,\"terms\":[[0,1,1e400]]}}", null),
                ErrorCode.INVALID_PROBLEM, "problem.qubo.terms[0]");
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }

    @Test
    void fractionalIndexIsRejected() {
        rejected(job("{\"maxcut\":{\"n\":3,\"edges\":[[0.5,1,1]]}}", null), ErrorCode.INVALID_PROBLEM, "problem.maxcut.edges[0]");
    }

    @Test
    void selfLoopEdgeIsRejectedNamingTheEdge() {
        rejected(job("{\"maxcut\":{\"n\":3,\"edges\":[[0,1,1],[2,2,1]]}}", null), ErrorCode.INVALID_PROBLEM, "problem.maxcut.edges[1]");
    }

    @Test
    void bothQuboAndMaxCutAreRejected() {
        rejected(job("{\"qubo\":{\"n\":1,\"terms\":[]},\"maxcut\":{\"n\":1,\"edges\":[]}}", null), ErrorCode.INVALID_PROBLEM, "problem");
    }

    @Test
    void unknownProblemFieldIsRejected() {
        rejected(job("{\"ising\":{}}", null), ErrorCode.INVALID_PROBLEM, "problem.ising");
    }

    @Test
    void missingNIsRejected() {
        rejected(job("{\"qubo\":{\"terms\":[]}}", null), ErrorCode.INVALID_PROBLEM, "problem.qubo.n");
    }

    @Test
    void nOverTheUnknownsLimitIsTooLargeBeforeAllocation() {
        JobDecoder small = new JobDecoder(new WireLimits(1 << 20, 10, 1000, 32), new MatrixStore(1000));
        JobRejectedException e = assertThrows(JobRejectedException.class,
                () -> small.decode(job("{\"qubo\":{\"n\":2000000000,\"terms\":[]}}", null)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals("problem.qubo.n", e.field());
    }

    @Test
    void moreTermsThanTheNonZerosLimitAreTooLarge() {
        JobDecoder small = new JobDecoder(new WireLimits(1 << 20, 10, 2, 32), new MatrixStore(1000));
        JobRejectedException e = assertThrows(JobRejectedException.class,
                () -> small.decode(job("{\"qubo\":{\"n\":3,\"terms\":[[0,1,1],[1,2,1],[0,2,1]]}}", null)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals("problem.qubo.terms", e.field());
    }

    @Test
    void unknownOptionIsRejectedNamingIt() {
        rejected(job("{\"qubo\":{\"n\":1,\"terms\":[]}}", "{\"tolerance\":1e-8}"), ErrorCode.INVALID_OPTIONS, "options.tolerance");
    }

    @Test
    void negativeTimeLimitIsRejected() {
        rejected(job("{\"qubo\":{\"n\":1,\"terms\":[]}}", "{\"timeLimitMs\":-1}"), ErrorCode.INVALID_OPTIONS, "options.timeLimitMs");
    }

    @Test
    void unknownScheduleIsRejected() {
        rejected(job("{\"qubo\":{\"n\":1,\"terms\":[]}}", "{\"schedule\":\"cosine\"}"), ErrorCode.INVALID_OPTIONS, "options.schedule");
    }

    @Test
    void minimumTemperatureAboveTheMaximumIsRejected() {
        rejected(job("{\"qubo\":{\"n\":1,\"terms\":[]}}", "{\"maxTemperature\":2,\"minTemperature\":3}"),
                ErrorCode.INVALID_OPTIONS, "options.minTemperature");
    }
}
