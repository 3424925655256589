package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import dev.kiln.spi.ProgressEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Results and progress events as wire-format v1 JSON. */
class ResultEncoderTest {
    private static final double NaN = Double.NaN;

    private final ResultEncoder encoder = new ResultEncoder();
    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode encode(JobResult r) throws IOException {
        return mapper.readTree(encoder.encode(r));
    }

    private static JobResult succeeded(double[] solution, JobResult.Routing routing) {
        return new JobResult("j-1", JobKind.LINEAR, JobStatus.SUCCEEDED, null, "cpu", "pcg+jacobi",
                Map.of("omega", 1.72, "restart", 30), 123, 1e-9, true, solution,
                new JobResult.Timing(1, 40, 42), new JobResult.Cost(38, NaN, NaN), routing);
    }

    private static JobResult rejected(ErrorCode code) {
        return JobResult.terminal("j-2", JobKind.LINEAR, JobStatus.REJECTED, new JobError(code, "problem.matrix: is required"),
                JobResult.Timing.ZERO);
    }

    @Test
    void succeededResultWritesItsFields() throws IOException {
        JsonNode j = encode(succeeded(null, null));
        assertEquals("j-1", j.get("id").textValue());
        assertEquals("linear", j.get("kind").textValue());
        assertEquals("succeeded", j.get("status").textValue());
        assertEquals("cpu", j.get("backend").textValue());
        assertEquals("pcg+jacobi", j.get("method").textValue());
        assertEquals(1.72, j.get("parameters").get("omega").doubleValue());
        assertEquals(30, j.get("parameters").get("restart").intValue());
        assertEquals(123, j.get("iterations").intValue());
        assertEquals(1e-9, j.get("residualNorm").doubleValue());
        assertTrue(j.get("converged").booleanValue());
        assertEquals(1, j.get("timing").get("queuedMs").longValue());
        assertEquals(40, j.get("timing").get("solveMs").longValue());
        assertEquals(42, j.get("timing").get("totalMs").longValue());
        assertEquals(38, j.get("cost").get("predictedMs").doubleValue());
    }

    @Test
    void succeededResultHasNoErrorObject() throws IOException {
        assertFalse(encode(succeeded(null, null)).has("error"));
    }

    @Test
    void nanCostFieldsAreOmitted() throws IOException {
        JsonNode cost = encode(succeeded(null, null)).get("cost");
        assertTrue(cost.has("predictedMs"));
        assertFalse(cost.has("hardwareSeconds"));
        assertFalse(cost.has("energyJoules"));
    }

    @Test
    void costObjectIsOmittedWhenEveryFieldIsNaN() throws IOException {
        assertFalse(encode(rejected(ErrorCode.INVALID_PROBLEM)).has("cost"));
    }

    @Test
    void nanResidualIsOmitted() throws IOException {
        JobResult r = new JobResult("j-3", JobKind.LINEAR, JobStatus.FAILED, new JobError(ErrorCode.DIVERGED, "NaN at iteration 4"),
                "cpu", "cg", Map.of(), 4, NaN, false, null, JobResult.Timing.ZERO, JobResult.Cost.NONE, null);
        JsonNode j = encode(r);
        assertFalse(j.has("residualNorm"));
        assertEquals(4, j.get("iterations").intValue());
    }

    @Test
    void nanParameterIsOmitted() throws IOException {
        JobResult r = new JobResult("j-4", JobKind.LINEAR, JobStatus.SUCCEEDED, null, "cpu", "sor",
                Map.of("omega", NaN, "sweeps", 2), 3, 1e-9, true, null, JobResult.Timing.ZERO, JobResult.Cost.NONE, null);
        JsonNode p = encode(r).get("parameters");
        assertFalse(p.has("omega"));
        assertEquals(2, p.get("sweeps").intValue());
    }

    @Test
    void rejectedResultHasOnlyIdKindStatusErrorAndTiming() throws IOException {
        JsonNode j = encode(rejected(ErrorCode.INVALID_PROBLEM));
        List<String> names = new java.util.ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("id", "kind", "status", "error", "timing"), names);
        assertEquals("rejected", j.get("status").textValue());
    }

    @Test
    void errorObjectHasCodeMessageAndRetryable() throws IOException {
        JsonNode e = encode(rejected(ErrorCode.INVALID_PROBLEM)).get("error");
        assertEquals("INVALID_PROBLEM", e.get("code").textValue());
        assertEquals("problem.matrix: is required", e.get("message").textValue());
        assertFalse(e.get("retryable").booleanValue());
    }

    @Test
    void retryableCodesAreMarkedRetryable() throws IOException {
        assertTrue(encode(rejected(ErrorCode.QUEUE_FULL)).get("error").get("retryable").booleanValue());
        assertTrue(encode(rejected(ErrorCode.BACKEND_UNAVAILABLE)).get("error").get("retryable").booleanValue());
    }

    @Test
    void resultWithoutKindOmitsIt() throws IOException {
        JobResult r = JobResult.terminal("raw", null, JobStatus.REJECTED, new JobError(ErrorCode.UNPARSEABLE, "not valid JSON"),
                JobResult.Timing.ZERO);
        assertFalse(encode(r).has("kind"));
    }

    @Test
    void solutionIsWrittenWhenSet() throws IOException {
        JsonNode x = encode(succeeded(new double[] {1.0, -0.5, 2e-300}, null)).get("solution");
        assertTrue(x.isArray());
        assertEquals(3, x.size());
        assertEquals(1.0, x.get(0).doubleValue());
        assertEquals(-0.5, x.get(1).doubleValue());
        assertEquals(2e-300, x.get(2).doubleValue());
    }

    @Test
    void solutionIsAbsentWhenNotSet() throws IOException {
        assertFalse(encode(succeeded(null, null)).has("solution"));
    }

    @Test
    void nonFiniteSolutionEntriesAreWrittenAsNull() throws IOException {
        // A diverged solve asked for x may hold NaN/Inf; JSON has no such numbers, and a string
        // "NaN" inside a number array would break clients: null, as in answer arrays.
        JsonNode x = encode(succeeded(new double[] {1.0, NaN, Double.POSITIVE_INFINITY}, null)).get("solution");
        assertEquals(1.0, x.get(0).doubleValue());
        assertTrue(x.get(1).isNull(), x.toString());
        assertTrue(x.get(2).isNull(), x.toString());
    }

    @Test
    void routingWritesChosenCandidatesAndExplored() throws IOException {
        JobResult.Routing routing = new JobResult.Routing("cpu", List.of(
                new JobResult.Candidate("cpu", 38, 0), new JobResult.Candidate("opencl", 55, 3)), true);
        JsonNode j = encode(succeeded(null, routing)).get("routing");
        assertEquals("cpu", j.get("chosen").textValue());
        assertTrue(j.get("explored").booleanValue());
        JsonNode c = j.get("candidates");
        assertEquals(2, c.size());
        assertEquals("opencl", c.get(1).get("backend").textValue());
        assertEquals(55, c.get(1).get("predictedMs").doubleValue());
        assertEquals(3, c.get(1).get("queued").intValue());
    }

    @Test
    void routingSaysWhereAMovedJobWaitedAndNothingForOneThatWasNot() throws IOException {
        JobResult.Routing moved = new JobResult.Routing("cpu", List.of(new JobResult.Candidate("cpu", 38, 0)), false, "opencl");
        assertEquals("opencl", encode(succeeded(null, moved)).get("routing").get("movedFrom").textValue());
        JobResult.Routing stayed = new JobResult.Routing("cpu", List.of(new JobResult.Candidate("cpu", 38, 0)), false);
        assertFalse(encode(succeeded(null, stayed)).get("routing").has("movedFrom"));
    }

    @Test
    void candidateWithoutPredictionOmitsPredictedMs() throws IOException {
        JobResult.Routing routing = new JobResult.Routing("cpu", List.of(new JobResult.Candidate("cpu", NaN, 2)), false);
        JsonNode c = encode(succeeded(null, routing)).get("routing").get("candidates").get(0);
        assertEquals("cpu", c.get("backend").textValue());
        assertFalse(c.has("predictedMs"));
        assertEquals(2, c.get("queued").intValue());
    }

    @Test
    void resultWithoutRoutingOmitsIt() throws IOException {
        assertFalse(encode(succeeded(null, null)).has("routing"));
    }

    @Test
    void answerFieldsAreWrittenAsAnObject() throws IOException {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("energy", -12.5);
        answer.put("assignment", new int[] {1, 0, 1});
        answer.put("losses", List.of(0.7, 0.3));
        answer.put("missing", NaN);
        JobResult r = new JobResult("q-1", JobKind.QUBO, JobStatus.SUCCEEDED, null, "neuromorphic", "anneal", Map.of(),
                100, NaN, null, null, JobResult.Timing.ZERO, JobResult.Cost.NONE, null, answer);
        JsonNode a = encode(r).get("answer");
        assertEquals(-12.5, a.get("energy").doubleValue());
        assertEquals(3, a.get("assignment").size());
        assertEquals(0.3, a.get("losses").get(1).doubleValue());
        assertTrue(a.get("missing").isNull());
    }

    @Test
    void resultWithoutAnswerOmitsIt() throws IOException {
        assertFalse(encode(succeeded(null, null)).has("answer"));
    }

    @Test
    void missingTimingIsWrittenAsZeros() throws IOException {
        JobResult r = JobResult.terminal("t-1", JobKind.LINEAR, JobStatus.CANCELLED, new JobError(ErrorCode.CANCELLED, "cancelled"), null);
        JsonNode t = encode(r).get("timing");
        assertEquals(0, t.get("totalMs").longValue());
    }

    @Test
    void progressEventWritesItsFields() throws IOException {
        JsonNode j = mapper.readTree(encoder.encode(new ProgressEvent("j-1", "cpu", 17, 3e-4, 250)));
        assertEquals("j-1", j.get("id").textValue());
        assertEquals("cpu", j.get("backend").textValue());
        assertEquals(17, j.get("iteration").intValue());
        assertEquals(3e-4, j.get("residual").doubleValue());
        assertEquals(250, j.get("elapsedMs").longValue());
    }

    @Test
    void progressEventOmitsANanResidual() throws IOException {
        JsonNode j = mapper.readTree(encoder.encode(new ProgressEvent("j-1", "cpu", 0, NaN, 0)));
        assertFalse(j.has("residual"));
    }
}
