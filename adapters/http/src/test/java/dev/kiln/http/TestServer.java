package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kiln over the real CPU backend (found by ServiceLoader, as in production) behind a
 * real HTTP server on a free port, and a Vert.x web client pointed at it.
 */
final class TestServer implements AutoCloseable {
    /** Bound on every wait in the tests, so a bug hangs nothing; never a timing assertion. */
    static final long TIMEOUT_S = 120;

    /** The brief's small SPD system: 1024 unknowns, b = A·1. */
    static final String POISSON_32 = """
            {"kind":"linear","problem":{"matrix":{"generator":"poisson2d","nx":32},"rhs":{"generator":"a-times-ones"}},
             "options":{"tolerance":1e-8}}""";

    /**
     * A job that runs far longer than any test lets it: plain CG on a million unknowns to
     * 1e-14 takes thousands of iterations of tens of ms. (nx=400 is not enough: Jacobi-PCG
     * stops after about 950 iterations, a couple of seconds.) Tests cancel it at once.
     */
    static String longJob(String id) {
        return """
                {"id":"%s","kind":"linear","problem":{"matrix":{"generator":"poisson2d","nx":1000},"rhs":{"generator":"a-times-ones"}},
                 "options":{"method":"cg","tolerance":1e-14,"maxIterations":1000000}}""".formatted(id);
    }

    final Vertx vertx;
    final KilnRuntime runtime;
    final HttpApi api;
    final WebClient client;

    TestServer(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.putIfAbsent(KilnConfig.HTTP_HOST.name(), "127.0.0.1");
        s.putIfAbsent(KilnConfig.HTTP_PORT.name(), "0");
        s.putIfAbsent(KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000");
        runtime = KilnRuntime.start(KilnConfig.of(s), new ShortestQueueRouter());
        vertx = Vertx.vertx();
        api = await(HttpApi.deploy(vertx, runtime));
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(api.actualPort()));
    }

    int port() { return api.actualPort(); }

    HttpResponse<Buffer> send(HttpMethod method, String uri) {
        return await(client.request(method, uri).send());
    }

    HttpResponse<Buffer> send(HttpMethod method, String uri, String body) {
        return await(client.request(method, uri).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
    }

    /** POSTs a job and returns its id (asserting nothing: callers check the status). */
    HttpResponse<Buffer> post(String uri, String job) {
        return send(HttpMethod.POST, uri, job);
    }

    static JsonObject json(HttpResponse<Buffer> r) {
        return r.bodyAsJsonObject();
    }

    /** Deploys an API with the settings and returns why it failed to start. */
    static Throwable deployFailure(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put(KilnConfig.HTTP_HOST.name(), "127.0.0.1");
        s.put(KilnConfig.HTTP_PORT.name(), "0");
        KilnRuntime runtime = KilnRuntime.start(KilnConfig.of(s), new ShortestQueueRouter());
        Vertx vertx = Vertx.vertx();
        try {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> await(HttpApi.deploy(vertx, runtime)));
            Throwable cause = e.getCause();
            while (cause != null && cause.getCause() != null && !(cause instanceof IllegalArgumentException)) cause = cause.getCause();
            return cause == null ? e : cause;
        } finally {
            await(vertx.close());
            runtime.close();
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Vert.x future did not complete: " + e, e);
        }
    }

    @Override
    public void close() {
        client.close();
        await(api.close());
        await(vertx.close());
        runtime.close();
    }
}
