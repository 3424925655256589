package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.EarliestFinishRouter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.kiln.http.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learned router behind the real HTTP server over the real CPU backend: metrics are
 * scraped in Prometheus text, {@code GET /v1/backends} shows the model, and a reset forgets it.
 */
class ModelRoutesTest {
    static Vertx vertx;
    static KilnRuntime runtime;
    static HttpApi api;
    static WebClient client;

    @BeforeAll
    static void start() {
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.HTTP_HOST.name(), "127.0.0.1", KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000"));
        EarliestFinishRouter router = EarliestFinishRouter.fromConfig(config);
        runtime = KilnRuntime.start(config, router);
        Calibration.run(runtime.backends(), router.costModel().orElseThrow());
        vertx = Vertx.vertx();
        api = await(HttpApi.deploy(vertx, runtime));
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(api.actualPort()));
        for (int i = 0; i < 3; i++) {
            HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/jobs?wait=60000", TestServer.POISSON_32);
            assertEquals(200, r.statusCode(), r.bodyAsString());
        }
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (api != null) await(api.close());
        if (vertx != null) await(vertx.close());
        if (runtime != null) runtime.close();
    }

    static HttpResponse<Buffer> send(HttpMethod m, String uri, String body) {
        var req = client.request(m, uri);
        return await(body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
    }

    @Test
    void metricsAreScrapedInPrometheusTextWithTheExpectedSeries() {
        HttpResponse<Buffer> r = send(HttpMethod.GET, "/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.getHeader("content-type").startsWith("text/plain; version=0.0.4"), r.getHeader("content-type"));
        String text = r.bodyAsString();
        for (String series : new String[] {
                "kiln_jobs_total{backend=\"cpu\",kind=\"linear\",status=\"succeeded\"} 3.0",
                "kiln_queue_depth{backend=\"cpu\"}",
                "kiln_jobs_running{backend=\"cpu\"}",
                "kiln_job_latency_seconds_bucket{backend=\"cpu\",kind=\"linear\",le=",
                "kiln_job_queued_seconds_count{backend=\"cpu\",kind=\"linear\"} 3",
                "kiln_routing_decisions_total{explored=\"false\"}",
                "kiln_routing_exploration_ratio",
                "kiln_routing_overhead_seconds_count",
                "kiln_routing_prediction_error_count{backend=\"cpu\",kind=\"linear\"} 3"}) {
            assertTrue(text.contains(series), "missing " + series + " in\n" + text);
        }
    }

    @Test
    void backendsShowTheirLearnedModelAndAResetForgetsIt() {
        JsonObject cpu = cpu();
        JsonArray kinds = cpu.getJsonObject("model").getJsonArray("kinds");
        // Calibration seeds every kind the cpu backend runs (issue 8): linear, QUBO and train.
        assertEquals(3, kinds.size(), kinds.toString());
        assertEquals("qubo", kinds.getJsonObject(1).getString("kind"));
        assertEquals("train", kinds.getJsonObject(2).getString("kind"));
        assertTrue(kinds.getJsonObject(1).getLong("samples") > 0 && kinds.getJsonObject(2).getLong("samples") > 0, kinds.toString());
        JsonObject linear = kinds.getJsonObject(0);
        assertEquals("linear", linear.getString("kind"));
        assertTrue(linear.getLong("samples") >= 3 + 3, "calibration runs and the three jobs: " + linear);
        assertTrue(linear.getLong("compared") >= 3, linear.toString());
        JsonObject last = linear.getJsonArray("recent").getJsonObject(linear.getJsonArray("recent").size() - 1);
        assertTrue(last.getDouble("predictedMs") > 0 && last.getDouble("actualMs") > 0, last.toString());

        HttpResponse<Buffer> reset = send(HttpMethod.DELETE, "/v1/backends/cpu/model", null);
        assertEquals(200, reset.statusCode(), reset.bodyAsString());
        assertEquals(3, reset.bodyAsJsonObject().getInteger("reset"), "every kind's model of the backend");
        assertTrue(cpu().getJsonObject("model").getJsonArray("kinds").isEmpty());
        assertEquals(404, send(HttpMethod.DELETE, "/v1/backends/no-such/model", null).statusCode());
    }

    private static JsonObject cpu() {
        JsonArray all = send(HttpMethod.GET, "/v1/backends", null).bodyAsJsonArray();
        for (int i = 0; i < all.size(); i++) if ("cpu".equals(all.getJsonObject(i).getString("id"))) return all.getJsonObject(i);
        throw new AssertionError("no cpu backend in " + all);
    }
}
