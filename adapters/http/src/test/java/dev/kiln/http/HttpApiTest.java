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
import java.util.Set;
import java.util.UUID;

import static dev.kiln.http.TestServer.POISSON_32;
import static dev.kiln.http.TestServer.json;
import static dev.kiln.http.TestServer.longJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP API over a real runtime and the real CPU backend, one scenario per test. */
class HttpApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static void assertJsonError(HttpResponse<Buffer> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.bodyAsString());
        assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
        JsonObject error = json(r).getJsonObject("error");
        assertNotNull(error, r.bodyAsString());
        assertEquals(code, error.getString("code"), r.bodyAsString());
        assertFalse(error.getString("message").isBlank());
    }

    @Test
    void postedJobIsAcceptedThenSucceedsWithinTolerance() {
        HttpResponse<Buffer> posted = server.post("/v1/jobs", POISSON_32);
        assertEquals(202, posted.statusCode(), posted.bodyAsString());
        String id = json(posted).getString("id");
        assertNotNull(id);
        assertEquals("/v1/jobs/" + id, posted.getHeader("Location"));

        HttpResponse<Buffer> got = server.send(HttpMethod.GET, "/v1/jobs/" + id + "?wait=10000");
        assertEquals(200, got.statusCode(), got.bodyAsString());
        JsonObject result = json(got);
        assertEquals("succeeded", result.getString("status"), got.bodyAsString());
        assertEquals(id, result.getString("id"));
        assertTrue(result.getDouble("residualNorm") <= 1e-8, got.bodyAsString());
        assertEquals("cpu", result.getString("backend"));
    }

    @Test
    void postWithWaitAnswersWithTheResult() {
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000", POISSON_32);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("succeeded", json(r).getString("status"), r.bodyAsString());
        assertTrue(json(r).getDouble("residualNorm") <= 1e-8);
    }

    @Test
    void postWhoseWaitRunsOutAnswers202WithTheLiveStatus() {
        String id = uniqueId("short-wait");
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=50", longJob(id));
        try {
            assertEquals(202, r.statusCode(), r.bodyAsString());
            assertEquals(id, json(r).getString("id"));
            assertTrue(Set.of("accepted", "queued", "running").contains(json(r).getString("status")), r.bodyAsString());
            assertEquals("/v1/jobs/" + id, r.getHeader("Location"));
        } finally {
            server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
        }
    }

    @Test
    void reSubmittingAFinishedJobIdReturnsItsResult() {
        String id = uniqueId("dup");
        String job = new JsonObject(POISSON_32).put("id", id).encode();
        HttpResponse<Buffer> first = server.post("/v1/jobs?wait=60000", job);
        assertEquals(200, first.statusCode(), first.bodyAsString());

        HttpResponse<Buffer> again = server.post("/v1/jobs", job);
        assertEquals(200, again.statusCode(), again.bodyAsString());
        assertEquals(id, json(again).getString("id"));
        assertEquals("succeeded", json(again).getString("status"));
    }

    @Test
    void badJsonIs400Unparseable() {
        assertJsonError(server.post("/v1/jobs", "{\"kind\": \"linear\", "), 400, "UNPARSEABLE");
    }

    @Test
    void emptyBodyIs400Unparseable() {
        assertJsonError(server.send(HttpMethod.POST, "/v1/jobs"), 400, "UNPARSEABLE");
    }

    @Test
    void invalidCsrJobIsRejectedNamingTheFieldAndStored() {
        String id = uniqueId("bad-csr");
        String job = """
                {"id":"%s","kind":"linear","problem":{"matrix":{"format":"csr","rows":2,"cols":2,
                  "rowPtr":[0,1,2],"colIdx":[0,5],"values":[1.0,1.0]},"rhs":[1.0,1.0]}}""".formatted(id);
        HttpResponse<Buffer> r = server.post("/v1/jobs", job);
        assertEquals(400, r.statusCode(), r.bodyAsString());
        JsonObject result = json(r);
        assertEquals("rejected", result.getString("status"));
        assertEquals(id, result.getString("id"));
        assertEquals("INVALID_PROBLEM", result.getJsonObject("error").getString("code"));
        assertTrue(result.getJsonObject("error").getString("message").contains("problem.matrix.colIdx[1]"), r.bodyAsString());

        HttpResponse<Buffer> stored = server.send(HttpMethod.GET, "/v1/jobs/" + id);
        assertEquals(200, stored.statusCode());
        assertEquals("rejected", json(stored).getString("status"));
    }

    @Test
    void waitOutsideItsRangeIs400InvalidOptions() {
        assertJsonError(server.post("/v1/jobs?wait=-1", POISSON_32), 400, "INVALID_OPTIONS");
        assertJsonError(server.post("/v1/jobs?wait=300001", POISSON_32), 400, "INVALID_OPTIONS");
        assertJsonError(server.send(HttpMethod.GET, "/v1/jobs/x?wait=soon"), 400, "INVALID_OPTIONS");
    }

    @Test
    void deleteCancelsALongRunningJob() {
        String id = uniqueId("long");
        HttpResponse<Buffer> posted = server.post("/v1/jobs", longJob(id));
        assertEquals(202, posted.statusCode(), posted.bodyAsString());

        HttpResponse<Buffer> deleted = server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
        assertEquals(202, deleted.statusCode(), deleted.bodyAsString());
        assertEquals(id, json(deleted).getString("id"));
        assertTrue(Set.of("cancelled", "running").contains(json(deleted).getString("status")), deleted.bodyAsString());

        HttpResponse<Buffer> after = server.send(HttpMethod.GET, "/v1/jobs/" + id + "?wait=60000");
        assertEquals(200, after.statusCode());
        assertEquals("cancelled", json(after).getString("status"), after.bodyAsString());
        assertEquals("CANCELLED", json(after).getJsonObject("error").getString("code"));
    }

    @Test
    void deleteOfAFinishedJobIs409WithItsFinalStatus() {
        HttpResponse<Buffer> done = server.post("/v1/jobs?wait=60000", POISSON_32);
        String id = json(done).getString("id");
        HttpResponse<Buffer> r = server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
        assertJsonError(r, 409, "ALREADY_FINISHED");
        assertEquals("succeeded", json(r).getString("status"));
    }

    @Test
    void deleteOfAnUnknownJobIs404() {
        assertJsonError(server.send(HttpMethod.DELETE, "/v1/jobs/no-such-job"), 404, "NOT_FOUND");
    }

    @Test
    void getOfAnUnknownJobIs404() {
        assertJsonError(server.send(HttpMethod.GET, "/v1/jobs/no-such-job"), 404, "NOT_FOUND");
    }

    @Test
    void getWithoutWaitShowsTheLiveStatusOfARunningJob() {
        String id = uniqueId("live");
        server.post("/v1/jobs", longJob(id));
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/v1/jobs/" + id);
        assertEquals(200, r.statusCode());
        assertEquals(id, json(r).getString("id"));
        assertTrue(Set.of("accepted", "queued", "running").contains(json(r).getString("status")), r.bodyAsString());
        server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
    }

    @Test
    void backendsListTheCpuBackendAsAvailable() {
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/v1/backends");
        assertEquals(200, r.statusCode());
        JsonArray all = r.bodyAsJsonArray();
        JsonObject cpu = all.stream().map(JsonObject.class::cast).filter(b -> "cpu".equals(b.getString("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no cpu backend in " + all));
        assertTrue(cpu.getBoolean("available"));
        assertFalse(cpu.getString("device").isBlank());
        assertTrue(cpu.containsKey("reason") && cpu.containsKey("queued") && cpu.containsKey("running"), cpu.encode());
    }

    @Test
    void healthIsUpWithTheCpuBackendUp() {
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/health");
        assertEquals(200, r.statusCode());
        assertEquals("up", json(r).getString("status"));
        assertEquals("up", json(r).getJsonObject("backends").getString("cpu"));
    }

    @Test
    void uploadedMatrixIsUsableByRef() {
        // The 1-D Laplacian tridiag(-1, 2, -1) of order 4, lower triangle of a symmetric file.
        String mm = """
                %%MatrixMarket matrix coordinate real symmetric
                % 1-D Laplacian, order 4
                4 4 7
                1 1 2
                2 1 -1
                2 2 2
                3 2 -1
                3 3 2
                4 3 -1
                4 4 2
                """;
        HttpResponse<Buffer> put = server.send(HttpMethod.PUT, "/v1/matrices", mm);
        assertEquals(201, put.statusCode(), put.bodyAsString());
        JsonObject m = json(put);
        assertEquals(4, m.getInteger("rows"));
        assertEquals(4, m.getInteger("cols"));
        assertEquals(10, m.getInteger("nnz"));
        String ref = m.getString("ref");
        assertFalse(ref.isBlank());

        String job = new JsonObject()
                .put("kind", "linear")
                .put("problem", new JsonObject()
                        .put("matrix", new JsonObject().put("ref", ref))
                        .put("rhs", new JsonObject().put("generator", "a-times-ones")))
                .put("options", new JsonObject().put("tolerance", 1e-10))
                .encode();
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000", job);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("succeeded", json(r).getString("status"), r.bodyAsString());
    }

    @Test
    void malformedMatrixMarketIs400NamingTheLine() {
        String mm = """
                %%MatrixMarket matrix coordinate real general
                2 2 2
                1 1 1.0
                2 two 1.0
                """;
        HttpResponse<Buffer> r = server.send(HttpMethod.PUT, "/v1/matrices", mm);
        assertJsonError(r, 400, "INVALID_PROBLEM");
        assertTrue(json(r).getJsonObject("error").getString("message").contains("line 4"), r.bodyAsString());
    }

    @Test
    void tuningOfAFamilyIs404WhileThereIsNoTuner() {
        assertJsonError(server.send(HttpMethod.GET, "/v1/tuning/heat-1d"), 404, "NOT_FOUND");
    }

    @Test
    void aTunedSorJobReportsItsOmegaAndTheFamilysArmsAreServed() {
        String job = new JsonObject()
                .put("kind", "linear")
                .put("family", "relax-http")
                .put("problem", new JsonObject()
                        .put("matrix", new JsonObject().put("generator", "poisson2d").put("nx", 8))
                        .put("rhs", new JsonObject().put("generator", "ones")))
                .put("options", new JsonObject().put("method", "sor").put("omega", "auto"))
                .encode();
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000", job);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        JsonObject result = json(r);
        assertEquals("succeeded", result.getString("status"), r.bodyAsString());
        double omega = result.getJsonObject("parameters").getDouble("omega");
        assertTrue(omega >= 1 && omega < 2, r.bodyAsString());
        assertNotNull(result.getJsonObject("parameters").getBoolean("omegaExplored"), r.bodyAsString());

        HttpResponse<Buffer> t = server.send(HttpMethod.GET, "/v1/tuning/relax-http");
        assertEquals(200, t.statusCode(), t.bodyAsString());
        JsonObject sor = json(t).getJsonObject("methods").getJsonObject("sor");
        assertEquals(20, sor.getJsonArray("arms").size());
        assertEquals(1, sor.getLong("jobs"));
        assertEquals(omega, sor.getDouble("choice"), 1e-12);
    }

    @Test
    void unknownRouteIs404Json() {
        assertJsonError(server.send(HttpMethod.GET, "/v2/nothing-here"), 404, "NOT_FOUND");
    }

    @Test
    void wrongMethodIs405JsonNamingTheAllowedOnes() {
        HttpResponse<Buffer> r = server.send(HttpMethod.PATCH, "/v1/jobs/some-id");
        assertJsonError(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("DELETE, GET", r.getHeader("Allow"));
    }

    @Test
    void formEncodedJobIs415WithAdvice() {
        HttpResponse<Buffer> r = TestServer.await(server.client.post("/v1/jobs")
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .sendBuffer(Buffer.buffer(POISSON_32)));
        assertJsonError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertTrue(json(r).getJsonObject("error").getString("message").contains("application/json"));
    }

    @Test
    void indexPageIsTheDashboardLinkingTheRoutesDescription() {
        // Issue 10: GET / is the dashboard (DashboardTest, DashboardBrowserTest); the routes are in /openapi.yaml.
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/");
        assertEquals(200, r.statusCode());
        assertTrue(r.getHeader("Content-Type").startsWith("text/html"));
        assertTrue(r.bodyAsString().contains("href=\"/openapi.yaml\""));
    }
}
