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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /} (the dashboard page) and {@code GET /v1/summary} (what it polls) over a real
 * Kiln, without a browser; {@link DashboardBrowserTest} runs the page itself.
 */
class DashboardTest {
    private static TestServer server;
    private static String jobId;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of());
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000",
                "{\"id\":\"summary-job\",\"family\":\"summary-family\"," + TestServer.POISSON_32.substring(1));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        jobId = r.bodyAsJsonObject().getString("id");
        assertEquals(400, server.post("/v1/jobs", "{\"id\":\"summary-bad\",\"kind\":\"linear\",\"problem\":{}}").statusCode());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void thePageIsSelfContainedHtmlThatForbidsLoadingFromOtherHosts() {
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/");
        assertEquals(200, r.statusCode());
        assertTrue(r.getHeader("Content-Type").startsWith("text/html"));
        String csp = r.getHeader("Content-Security-Policy");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"), csp);
        String html = r.bodyAsString();
        // Every absolute URL in the page is the SVG namespace, which is a name, never fetched.
        Matcher m = Pattern.compile("https?://[^\"'\\s)]+").matcher(html);
        while (m.find()) assertEquals("http://www.w3.org/2000/svg", m.group(), "the page refers to another host");
        assertFalse(html.contains("<script src") || html.contains("<link"), "the page must inline its script and styles");
        for (String id : new String[] {"backends-body", "recent-body", "curve-chart", "omega-chart", "model-chart", "job-json"}) {
            assertTrue(html.contains("id=\"" + id + "\""), "missing #" + id);
        }
    }

    @Test
    void theSummaryCountsFinishedJobsByStatusAndListsRecentOnesNewestFirst() {
        JsonObject s = server.send(HttpMethod.GET, "/v1/summary").bodyAsJsonObject();
        JsonObject finished = s.getJsonObject("jobs").getJsonObject("finished");
        assertTrue(finished.getLong("succeeded") >= 1, s.encode());
        assertTrue(finished.getLong("rejected") >= 1, s.encode());
        assertEquals(0, s.getJsonObject("jobs").getJsonObject("live").getInteger("running"), s.encode());
        JsonArray recent = s.getJsonArray("recent");
        assertEquals("summary-bad", recent.getJsonObject(0).getString("id"), "newest first: " + recent.encode());
        JsonObject job = null;
        for (int i = 0; i < recent.size(); i++) if (jobId.equals(recent.getJsonObject(i).getString("id"))) job = recent.getJsonObject(i);
        assertTrue(job != null, "the job is listed: " + recent.encode());
        assertEquals("succeeded", job.getString("status"));
        assertEquals("linear", job.getString("kind"));
        assertEquals("summary-family", job.getString("family"));
        assertEquals("cpu", job.getString("backend"));
        assertTrue(job.getInteger("iterations") > 0 && job.getDouble("residualNorm") <= 1e-8 && job.containsKey("method"), job.encode());
        JsonObject cpu = s.getJsonArray("backends").getJsonObject(0);
        assertEquals("cpu", cpu.getString("id"));
        assertTrue(cpu.getBoolean("available"));
    }

    @Test
    void theSummaryLimitIsHonouredAndABadLimitIsAJsonError() {
        assertEquals(1, server.send(HttpMethod.GET, "/v1/summary?limit=1").bodyAsJsonObject().getJsonArray("recent").size());
        for (String bad : new String[] {"0", "501", "many"}) {
            HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/v1/summary?limit=" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("INVALID_OPTIONS", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
        }
    }
}
