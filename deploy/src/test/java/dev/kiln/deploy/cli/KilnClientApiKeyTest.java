package dev.kiln.deploy.cli;

import dev.kiln.http.HttpApi;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.ShortestQueueRouter;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CLI client against a real Kiln HTTP API that requires an API key (no Kafka needed). */
class KilnClientApiKeyTest {
    private static final String KEY = "cli-test-key-0b5e7d3a91";
    static KilnRuntime runtime;
    static Vertx vertx;
    static HttpApi api;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        runtime = KilnRuntime.start(KilnConfig.of(Map.of(KilnConfig.HTTP_HOST.name(), "127.0.0.1", KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.HTTP_API_KEYS.name(), KEY)), new ShortestQueueRouter());
        vertx = Vertx.vertx();
        api = HttpApi.deploy(vertx, runtime).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        url = "http://127.0.0.1:" + api.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (runtime != null) runtime.close();
    }

    private static int run(String command, String... args) {
        List<String> all = new ArrayList<>(List.of("--url", url, "--json"));
        all.addAll(List.of(args));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        return new KilnClientCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(command, all);
    }

    @Test
    void withTheKeyTheClientIsServed() {
        assertEquals(KilnClientCommand.OK, run("backends", "--api-key", KEY));
    }

    @Test
    void aWrongKeyExitsSeven() {
        assertEquals(KilnClientCommand.UNAUTHORIZED, run("backends", "--api-key", "not-the-key-at-all-000"));
        assertEquals(KilnClientCommand.UNAUTHORIZED, run("status", "some-job", "--api-key", "not-the-key-at-all-000"));
    }

    @Test
    void noKeyExitsSeven() {
        assumeTrue(System.getenv("KILN_API_KEY") == null, "KILN_API_KEY is set where the tests run");
        assertEquals(KilnClientCommand.UNAUTHORIZED, run("tuning", "some-family"));
    }
}
