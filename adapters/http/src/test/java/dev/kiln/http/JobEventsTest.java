package dev.kiln.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.function.Consumer;

import static dev.kiln.http.TestServer.POISSON_32;
import static dev.kiln.http.TestServer.TIMEOUT_S;
import static dev.kiln.http.TestServer.json;
import static dev.kiln.http.TestServer.longJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /v1/jobs/{id}/events}: Server-Sent Events read by a plain JDK client. */
class JobEventsTest {
    private static TestServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One SSE frame. */
    record Frame(String event, String data) {
        JsonObject json() { return new JsonObject(data); }
    }

    @BeforeAll
    static void start() {
        // Frequent progress, so a running job shows some before it is cancelled.
        server = new TestServer(Map.of("kiln.progress.interval-ms", "10"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /**
     * Reads the whole stream (until the server ends it) on another thread, calling
     * {@code onFrame} for each frame as it arrives; bounded by the suite's timeout.
     */
    private static List<Frame> readStream(String id, Consumer<Frame> onFrame) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/jobs/" + id + "/events")).build();
        HttpResponse<InputStream> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        CompletableFuture<List<Frame>> frames = CompletableFuture.supplyAsync(() -> {
            List<Frame> out = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String event = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (event != null) {
                            Frame f = new Frame(event, data.toString());
                            out.add(f);
                            onFrame.accept(f);
                        }
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
        return frames.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void finishedJobStreamsOnlyItsResult() throws Exception {
        String id = json(server.post("/v1/jobs?wait=60000", POISSON_32)).getString("id");
        List<Frame> frames = readStream(id, f -> { });
        assertEquals(1, frames.size(), frames.toString());
        assertEquals("result", frames.get(0).event());
        assertEquals("succeeded", frames.get(0).json().getString("status"));
        assertEquals(id, frames.get(0).json().getString("id"));
    }

    @Test
    void runningJobStreamsProgressThenEndsWithTheResult() throws Exception {
        String id = "sse-" + UUID.randomUUID();
        assertEquals(202, server.post("/v1/jobs", longJob(id)).statusCode());
        boolean[] cancelled = {false};
        List<Frame> frames = readStream(id, f -> {
            // Once progress is seen, stop the job so the stream has to end with its result.
            if (f.event().equals("progress") && !cancelled[0]) {
                cancelled[0] = true;
                server.send(HttpMethod.DELETE, "/v1/jobs/" + id);
            }
        });
        assertFalse(frames.isEmpty());
        Frame last = frames.get(frames.size() - 1);
        assertEquals("result", last.event(), frames.toString());
        assertEquals("cancelled", last.json().getString("status"));
        List<Frame> progress = frames.subList(0, frames.size() - 1);
        assertFalse(progress.isEmpty(), "progress before the result");
        int previous = -1;
        for (Frame f : progress) {
            assertEquals("progress", f.event());
            JsonObject p = f.json();
            assertEquals(id, p.getString("id"));
            assertEquals("cpu", p.getString("backend"));
            assertTrue(p.getInteger("iteration") >= previous, "iterations never go back: " + progress);
            previous = p.getInteger("iteration");
        }
    }

    @Test
    void eventsOfAnUnknownJobAre404Json() {
        var r = server.send(HttpMethod.GET, "/v1/jobs/nobody/events");
        assertEquals(404, r.statusCode());
        assertEquals("NOT_FOUND", json(r).getJsonObject("error").getString("code"));
    }
}
