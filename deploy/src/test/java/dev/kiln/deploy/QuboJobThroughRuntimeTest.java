package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Max-Cut job document goes through the real runtime (decoder, router, lane) to the real
 * backends found on the class path and comes back succeeded, with its answer in the result JSON.
 * No broker: the Kafka and HTTP paths carry the same documents and are covered elsewhere.
 */
class QuboJobThroughRuntimeTest {
    // The 5-cycle: the maximum cut leaves one edge uncut, 4.
    private static final String FIVE_CYCLE = "{\"n\":5,\"edges\":[[0,1,1],[1,2,1],[2,3,1],[3,4,1],[4,0,1]]}";

    private static JsonNode solve(String backend) throws Exception {
        try (KilnRuntime runtime = KilnRuntime.start(KilnConfig.defaults(), new ShortestQueueRouter())) {
            String doc = "{\"id\":\"cut-" + backend + "\",\"kind\":\"qubo\",\"problem\":{\"maxcut\":" + FIVE_CYCLE + "},"
                    + "\"options\":{\"backend\":\"" + backend + "\",\"replicas\":4,\"seed\":3}}";
            Submission s = runtime.submit(runtime.decoder().decode(doc));
            Submission.Accepted a = assertInstanceOf(Submission.Accepted.class, s, () -> s instanceof Submission.Rejected r
                    ? "rejected: " + r.record().result().getNow(null).error() : String.valueOf(s));
            JobResult r = a.record().result().get(60, TimeUnit.SECONDS);
            assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
            return new ObjectMapper().readTree(new ResultEncoder().encode(r));
        }
    }

    @Test
    void maxCutJobOnTheCpuBackendSucceedsWithTheCutInItsAnswer() throws Exception {
        JsonNode json = solve("cpu");
        assertEquals("succeeded", json.get("status").asText());
        assertEquals("cpu", json.get("backend").asText());
        assertEquals(4.0, json.get("answer").get("cut").asDouble());
        assertEquals(5, json.get("answer").get("assignment").size());
    }

    @Test
    void maxCutJobOnTheNeuromorphicEmulatorReportsModelledHardwareCost() throws Exception {
        JsonNode json = solve("neuromorphic");
        assertEquals("succeeded", json.get("status").asText());
        assertEquals(4.0, json.get("answer").get("cut").asDouble());
        assertTrue(json.get("cost").get("hardwareSeconds").asDouble() > 0, json.toString());
        assertTrue(json.get("cost").get("energyJoules").asDouble() > 0, json.toString());
    }
}
