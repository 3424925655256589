package dev.kiln.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.kiln.http.TestServer.TIMEOUT_S;
import static dev.kiln.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kind: train} jobs over HTTP on the real CPU backend: the result's answer and SSE progress per step. */
class TrainJobsHttpTest {
    private static TestServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String job(String id, String optimizer, int epochs) {
        return """
                {"id":"%s","kind":"train","problem":{"model":{"type":"mlp","hidden":[16]},"dataset":{"name":"digits"},"loss":"cross-entropy"},
                 "options":{"optimizer":"%s","epochs":%d,"batchSize":32,"learningRate":0.01}}""".formatted(id, optimizer, epochs);
    }

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("kiln.progress.interval-ms", "10"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void aTrainJobSucceedsWithLossesAccuracyAndHistory() {
        JsonObject r = json(server.post("/v1/jobs?wait=100000", job("train-http-1", "adam", 2)));
        assertEquals("succeeded", r.getString("status"), r.encode());
        assertEquals("cpu", r.getString("backend"));
        JsonObject answer = r.getJsonObject("answer");
        JsonArray history = answer.getJsonArray("history");
        assertEquals(3, history.size(), "epoch 0 and two epochs");
        assertTrue(answer.getDouble("testAccuracy") > 0.8, answer.encode());
        assertTrue(answer.getDouble("trainLoss") < history.getJsonObject(0).getDouble("trainLoss"));
        assertEquals(2 * 45, r.getInteger("iterations"), "1438 samples in batches of 32 is 45 steps per epoch");
    }

    @Test
    void aTngdJobIsRejectedWhenNoThermodynamicBackendIsDeployed() {
        JsonObject r = json(server.post("/v1/jobs?wait=100000", job("train-http-2", "tngd", 1)));
        assertEquals("rejected", r.getString("status"), r.encode());
    }

    @Test
    void aRunningTrainJobStreamsLossProgressPerStep() throws Exception {
        String id = "train-sse-" + UUID.randomUUID();
        assertEquals(202, server.post("/v1/jobs", job(id, "sgd", 10_000)).statusCode());
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/jobs/" + id + "/events")).build();
        HttpResponse<InputStream> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        CompletableFuture<List<JsonObject>> progress = CompletableFuture.supplyAsync(() -> {
            List<JsonObject> out = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event: ")) event = line.substring(7);
                    else if (line.startsWith("data: ") && "progress".equals(event)) {
                        out.add(new JsonObject(line.substring(6)));
                        if (out.size() == 3) server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out;
        });
        List<JsonObject> events = progress.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertFalse(events.size() < 3, "progress before cancellation: " + events);
        for (JsonObject e : events) {
            assertTrue(e.getInteger("iteration") >= 1, "iteration is the step: " + e);
            assertTrue(e.getDouble("residual") > 0, "residual is the batch loss: " + e);
        }
        JsonObject result = json(server.send(HttpMethod.GET, "/v1/jobs/" + id + "?wait=60000"));
        assertEquals("cancelled", result.getString("status"), result.encode());
    }
}
