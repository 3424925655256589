package dev.kiln.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.kiln.http.TestServer.json;
import static dev.kiln.http.TestServer.longJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API at its limits: a 1000-byte body limit, and one CPU worker with a queue of one job,
 * so a third long job finds no room.
 */
class HttpLimitsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of(
                "kiln.limits.max-message-bytes", "1000",
                "kiln.workers", "1",
                "kiln.queue.capacity", "1"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void assertTooLarge(HttpResponse<Buffer> r) {
        assertEquals(413, r.statusCode(), r.bodyAsString());
        assertTrue(r.getHeader("Content-Type").startsWith("application/json"));
        JsonObject error = json(r).getJsonObject("error");
        assertEquals("TOO_LARGE", error.getString("code"));
        assertTrue(error.getString("message").contains("1000"), r.bodyAsString());
    }

    @Test
    void jobBodyOverTheLimitIs413Json() {
        String padding = " ".repeat(2000);
        assertTooLarge(server.post("/v1/jobs", "{\"kind\":\"linear\"" + padding + "}"));
    }

    @Test
    void matrixUploadOverTheLimitIs413Json() {
        StringBuilder mm = new StringBuilder("%%MatrixMarket matrix coordinate real general\n200 200 200\n");
        for (int i = 1; i <= 200; i++) mm.append(i).append(' ').append(i).append(" 1.0\n");
        assertTooLarge(server.send(HttpMethod.PUT, "/v1/matrices", mm.toString()));
    }

    @Test
    void fullQueueIs503WithRetryAfter() {
        // One job runs, one waits; the next can only be refused. Every long job is cancelled after.
        List<String> accepted = new ArrayList<>();
        HttpResponse<Buffer> refused = null;
        for (int i = 0; i < 3 && refused == null; i++) {
            String id = "full-" + UUID.randomUUID();
            HttpResponse<Buffer> r = server.post("/v1/jobs", longJob(id));
            if (r.statusCode() == 202) accepted.add(id);
            else refused = r;
        }
        try {
            assertNotNull(refused, "three long jobs on one worker with a queue of one: one must be refused");
            assertEquals(503, refused.statusCode(), refused.bodyAsString());
            assertEquals("1", refused.getHeader("Retry-After"));
            assertEquals("QUEUE_FULL", json(refused).getJsonObject("error").getString("code"));
        } finally {
            for (String id : accepted) {
                server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
                server.send(HttpMethod.GET, "/v1/jobs/" + id + "?wait=60000");
            }
        }
    }
}
