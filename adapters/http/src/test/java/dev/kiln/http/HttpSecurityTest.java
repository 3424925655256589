package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.kiln.http.TestServer.POISSON_32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP authentication with API keys, per-key rate limits and TLS (issue 9), against a real
 * server: 401 without or with a wrong key, 429 with Retry-After over the limit, health and
 * metrics open, start-up refusals for unsafe settings, HTTPS from a keystore and from PEM.
 */
class HttpSecurityTest {
    private static final String KEY_A = "test-key-aaaaaaaaaaaaaaaa";
    private static final String KEY_B = "test-key-bbbbbbbbbbbbbbbb";

    private static TestServer server(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(extra);
        s.putIfAbsent(KilnConfig.HTTP_API_KEYS.name(), KEY_A + "," + KEY_B);
        return new TestServer(s);
    }

    private static HttpResponse<Buffer> send(TestServer t, HttpMethod m, String uri, String header, String value, String body) {
        HttpRequest<Buffer> r = t.client.request(m, uri);
        if (header != null) r.putHeader(header, value);
        return TestServer.await(body == null ? r.send() : r.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
    }

    @Test
    void aRequestWithoutAKeyIs401WithABearerChallenge() {
        try (TestServer t = server(Map.of())) {
            HttpResponse<Buffer> r = send(t, HttpMethod.POST, "/v1/jobs", null, null, POISSON_32);
            assertEquals(401, r.statusCode());
            assertEquals("UNAUTHENTICATED", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
            assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"), r.getHeader("WWW-Authenticate"));
            assertEquals(0, t.runtime.recentJobs(10).size(), "nothing was submitted");
        }
    }

    @Test
    void aWrongKeyIs401InvalidApiKeyAndIsNotEchoed() {
        try (TestServer t = server(Map.of())) {
            String wrong = "not-the-key-zzzzzzzzzzzzz";
            HttpResponse<Buffer> r = send(t, HttpMethod.GET, "/v1/backends", "Authorization", "Bearer " + wrong, null);
            assertEquals(401, r.statusCode());
            assertEquals("INVALID_API_KEY", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
            assertTrue(r.getHeader("WWW-Authenticate").contains("invalid_token"));
            assertFalse(r.bodyAsString().contains(wrong));
        }
    }

    @Test
    void aBearerKeySubmitsAJobAndAnXApiKeyHeaderReadsIt() {
        try (TestServer t = server(Map.of())) {
            HttpResponse<Buffer> r = send(t, HttpMethod.POST, "/v1/jobs?wait=30000", "Authorization", "Bearer " + KEY_A, POISSON_32);
            assertEquals(200, r.statusCode(), r.bodyAsString());
            String id = r.bodyAsJsonObject().getString("id");
            HttpResponse<Buffer> g = send(t, HttpMethod.GET, "/v1/jobs/" + id, "X-Api-Key", KEY_B, null);
            assertEquals(200, g.statusCode());
            assertEquals("succeeded", g.bodyAsJsonObject().getString("status"));
        }
    }

    @Test
    void healthMetricsAndTheIndexPageNeedNoKey() {
        try (TestServer t = server(Map.of())) {
            assertEquals(200, send(t, HttpMethod.GET, "/health", null, null, null).statusCode());
            assertEquals(200, send(t, HttpMethod.GET, "/metrics", null, null, null).statusCode());
            assertEquals(200, send(t, HttpMethod.GET, "/", null, null, null).statusCode());
            assertEquals(401, send(t, HttpMethod.GET, "/v1/backends", null, null, null).statusCode());
        }
    }

    @Test
    void overTheRateLimitAKeyGets429WithRetryAfterWhileAnotherKeyIsServed() {
        // One token per 1000 s: after the burst of 3 the bucket is empty for the rest of the test.
        try (TestServer t = server(Map.of(KilnConfig.HTTP_RATE_LIMIT.name(), "0.001", KilnConfig.HTTP_RATE_BURST.name(), "3"))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(t, HttpMethod.GET, "/v1/backends", "X-Api-Key", KEY_A, null).statusCode());
            }
            HttpResponse<Buffer> limited = send(t, HttpMethod.GET, "/v1/backends", "X-Api-Key", KEY_A, null);
            assertEquals(429, limited.statusCode());
            assertEquals("RATE_LIMITED", limited.bodyAsJsonObject().getJsonObject("error").getString("code"));
            assertTrue(Long.parseLong(limited.getHeader("Retry-After")) >= 1, limited.getHeader("Retry-After"));
            assertEquals(200, send(t, HttpMethod.GET, "/v1/backends", "X-Api-Key", KEY_B, null).statusCode(), "limits are per key");
            assertEquals(200, send(t, HttpMethod.GET, "/health", null, null, null).statusCode(), "health is never limited");
        }
    }

    @Test
    void withoutKeysOnTheEmbeddedDefaultTheApiIsOpen() {
        try (TestServer t = new TestServer(Map.of())) {
            assertEquals(200, send(t, HttpMethod.GET, "/v1/backends", null, null, null).statusCode());
        }
    }

    @Test
    void withoutKeysAgainstAnExternalKafkaTheApiRefusesToStart() {
        Throwable e = TestServer.deployFailure(Map.of(KilnConfig.KAFKA_BOOTSTRAP.name(), "kafka.example:9092"));
        assertTrue(e.getMessage().contains("kiln.http.api-keys") && e.getMessage().contains("kiln.http.auth=none"), e.getMessage());
    }

    @Test
    void anExplicitAuthNoneRunsOpenAgainstAnExternalKafka() {
        try (TestServer t = new TestServer(Map.of(KilnConfig.KAFKA_BOOTSTRAP.name(), "kafka.example:9092", KilnConfig.HTTP_AUTH.name(), "none"))) {
            assertEquals(200, send(t, HttpMethod.GET, "/v1/backends", null, null, null).statusCode());
        }
    }

    @Test
    void aShortKeyIsRefusedAtStartWithoutShowingIt() {
        Throwable e = TestServer.deployFailure(Map.of(KilnConfig.HTTP_API_KEYS.name(), "hunter2"));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void keysAreReadFromAFileSkippingCommentsAndBlankLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# team A\n" + KEY_A + "\n\n# team B\n" + KEY_B + "\n");
        try (TestServer t = new TestServer(Map.of(KilnConfig.HTTP_API_KEYS_FILE.name(), file.toString()))) {
            assertEquals(200, send(t, HttpMethod.GET, "/v1/backends", "X-Api-Key", KEY_B, null).statusCode());
            assertEquals(401, send(t, HttpMethod.GET, "/v1/backends", "X-Api-Key", "# team A", null).statusCode());
        }
    }

    @Test
    void aKeystoreServesHttpsWithItsPasswordFromAFile(@TempDir Path dir) throws Exception {
        Path ks = dir.resolve("kiln.p12");
        keytool(dir, ks, "changeit-123456");
        Path pw = dir.resolve("password");
        Files.writeString(pw, "changeit-123456\n");
        Map<String, String> s = new HashMap<>();
        s.put(KilnConfig.HTTP_TLS_KEYSTORE.name(), ks.toString());
        s.put(KilnConfig.HTTP_TLS_KEYSTORE_PASSWORD_FILE.name(), pw.toString());
        try (TestServer t = new TestServer(s)) {
            WebClient https = WebClient.create(t.vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                    .setDefaultHost("127.0.0.1").setDefaultPort(t.port()));
            HttpResponse<Buffer> r = TestServer.await(https.get("/health").send());
            assertEquals(200, r.statusCode());
            https.close();
        }
    }

    @Test
    void aWrongKeystorePasswordFailsTheStartWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path ks = dir.resolve("kiln.p12");
        keytool(dir, ks, "changeit-123456");
        Throwable e = TestServer.deployFailure(Map.of(KilnConfig.HTTP_TLS_KEYSTORE.name(), ks.toString(),
                KilnConfig.HTTP_TLS_KEYSTORE_PASSWORD.name(), "wrong-password-987"));
        assertNotNull(e);
        assertFalse(String.valueOf(e.getMessage()).contains("wrong-password-987"));
    }

    /** A self-signed EC key pair for localhost in a PKCS#12 keystore, made by the JDK's keytool. */
    private static void keytool(Path dir, Path ks, String password) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "kiln", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", password,
                "-ext", "SAN=dns:localhost,ip:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }
}
