package dev.kiln.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.kiln.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method tuner over HTTP (issue 4): a family's {@code method: auto} jobs say which arm ran
 * and whether it was exploration, and {@code GET /v1/tuning/{family}} serves the arms.
 */
class MethodTuningHttpTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void autoJobsOfAFamilyReportTheirArmAndTheFamilysArmsAreServed() {
        String job = new JsonObject()
                .put("kind", "linear")
                .put("family", "method-http")
                .put("problem", new JsonObject()
                        .put("matrix", new JsonObject().put("generator", "poisson2d").put("nx", 8))
                        .put("rhs", new JsonObject().put("generator", "ones")))
                .encode();
        for (int i = 0; i < 2; i++) {
            HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000", job);
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject result = json(r);
            assertEquals("succeeded", result.getString("status"), r.bodyAsString());
            JsonObject p = result.getJsonObject("parameters");
            // the backends' own rule is the opening pull, then the next untried arm
            assertEquals(i == 0 ? "pcg+jacobi" : "cg+none", p.getString("methodArm"), r.bodyAsString());
            assertEquals(i > 0, p.getBoolean("methodExplored"), r.bodyAsString());
        }
        HttpResponse<Buffer> t = server.send(HttpMethod.GET, "/v1/tuning/method-http");
        assertEquals(200, t.statusCode(), t.bodyAsString());
        JsonObject choice = json(t).getJsonObject("methodChoice");
        assertNotNull(choice, t.bodyAsString());
        JsonArray arms = choice.getJsonArray("arms");
        assertEquals(2, arms.size(), t.bodyAsString());
        assertEquals(2L, choice.getLong("jobs"));
        assertTrue(choice.getString("choice").equals("pcg+jacobi") || choice.getString("choice").equals("cg+none"), t.bodyAsString());
    }
}
