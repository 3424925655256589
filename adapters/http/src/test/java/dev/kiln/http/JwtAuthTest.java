package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static dev.kiln.http.TestServer.POISSON_32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JWT bearer tokens as the alternative to API keys (issue 9), against a real server: a valid
 * token submits a job; expired, not-yet-valid, wrongly signed, unsigned ({@code alg: none}),
 * algorithm-substituted, never-expiring, subject-less, wrong-issuer and wrong-audience tokens
 * get 401 {@code INVALID_TOKEN} and are never echoed; API keys keep working beside tokens;
 * rate limits count per subject; bad settings stop the start without showing the secret.
 * Tokens are made by an independent issuer: Vert.x's own JWT signer with its own options.
 */
class JwtAuthTest {
    private static final String SECRET = "jwt-test-secret-0123456789abcdef0123456789";
    private static final String OTHER_SECRET = "another-secret-0123456789abcdef0123456789";
    private static final String API_KEY = "test-key-aaaaaaaaaaaaaaaa";
    private static final Vertx ISSUER_VERTX = Vertx.vertx();

    @AfterAll
    static void closeIssuer() {
        TestServer.await(ISSUER_VERTX.close());
    }

    private static TestServer server(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(extra);
        if (!s.containsKey(KilnConfig.HTTP_JWT_PUBLIC_KEY_FILE.name())) s.putIfAbsent(KilnConfig.HTTP_JWT_SECRET.name(), SECRET);
        return new TestServer(s);
    }

    /** A token signed by an issuer holding {@code secret} (HS256), with {@code claims} and expiry {@code expiresIn} s from now (0: no exp). */
    private static String hs256(String secret, JsonObject claims, int expiresIn) {
        JWTAuth issuer = JWTAuth.create(ISSUER_VERTX, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Buffer.buffer(secret, "UTF-8"))));
        JWTOptions o = new JWTOptions().setAlgorithm("HS256");
        if (expiresIn != 0) o.setExpiresInSeconds(expiresIn);
        return issuer.generateToken(claims, o);
    }

    private static JsonObject claims(String sub) {
        JsonObject c = new JsonObject();
        if (sub != null) c.put("sub", sub);
        return c;
    }

    private static HttpResponse<Buffer> get(TestServer t, String uri, String bearer) {
        HttpRequest<Buffer> r = t.client.request(HttpMethod.GET, uri);
        if (bearer != null) r.putHeader("Authorization", "Bearer " + bearer);
        return TestServer.await(r.send());
    }

    private static void assertInvalidToken(HttpResponse<Buffer> r, String token, String reasonPart) {
        assertEquals(401, r.statusCode(), r.bodyAsString());
        JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
        assertEquals("INVALID_TOKEN", error.getString("code"), r.bodyAsString());
        assertTrue(error.getString("message").contains(reasonPart), error.getString("message"));
        assertTrue(r.getHeader("WWW-Authenticate").contains("invalid_token"), r.getHeader("WWW-Authenticate"));
        assertFalse(r.bodyAsString().contains(token), "the token is echoed");
    }

    @Test
    void aValidTokenSubmitsAJobAndReadsIt() {
        try (TestServer t = server(Map.of())) {
            String token = hs256(SECRET, claims("pipeline-7"), 300);
            HttpResponse<Buffer> r = TestServer.await(t.client.request(HttpMethod.POST, "/v1/jobs?wait=30000")
                    .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(POISSON_32)));
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertEquals("succeeded", r.bodyAsJsonObject().getString("status"));
            HttpResponse<Buffer> g = get(t, "/v1/jobs/" + r.bodyAsJsonObject().getString("id"), token);
            assertEquals(200, g.statusCode(), g.bodyAsString());
        }
    }

    @Test
    void anExpiredTokenIs401EvenWithinAMinuteOfItsExpiry() {
        // Expired 60 s ago: past the default 30 s leeway (kiln.http.jwt.leeway-seconds).
        try (TestServer t = server(Map.of())) {
            String token = hs256(SECRET, claims("pipeline-7").put("exp", System.currentTimeMillis() / 1000 - 60), 0);
            assertInvalidToken(get(t, "/v1/backends", token), token, "expired");
        }
    }

    @Test
    void aTokenNotValidYetIs401() {
        try (TestServer t = server(Map.of())) {
            String token = hs256(SECRET, claims("pipeline-7").put("nbf", System.currentTimeMillis() / 1000 + 3600), 300);
            assertEquals(401, get(t, "/v1/backends", token).statusCode());
        }
    }

    @Test
    void aTokenSignedWithAnotherSecretIs401() {
        try (TestServer t = server(Map.of())) {
            String token = hs256(OTHER_SECRET, claims("pipeline-7"), 300);
            assertInvalidToken(get(t, "/v1/backends", token), token, "not valid");
        }
    }

    @Test
    void anUnsignedAlgNoneTokenIs401() {
        try (TestServer t = server(Map.of())) {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String body = b64.encodeToString(claims("pipeline-7").put("exp", System.currentTimeMillis() / 1000 + 300)
                    .encode().getBytes(StandardCharsets.UTF_8));
            // With and without the (empty) signature segment.
            assertEquals(401, get(t, "/v1/backends", header + "." + body + ".").statusCode());
            assertEquals(401, get(t, "/v1/backends", header + "." + body + "." + b64.encodeToString(new byte[32])).statusCode());
        }
    }

    @Test
    void aTokenWithoutExpiryOrSubjectIs401() {
        try (TestServer t = server(Map.of())) {
            String noExp = hs256(SECRET, claims("pipeline-7"), 0);
            assertInvalidToken(get(t, "/v1/backends", noExp), noExp, "exp");
            String noSub = hs256(SECRET, claims(null), 300);
            assertInvalidToken(get(t, "/v1/backends", noSub), noSub, "sub");
        }
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() {
        try (TestServer t = server(Map.of(KilnConfig.HTTP_JWT_ISSUER.name(), "https://idp.example",
                KilnConfig.HTTP_JWT_AUDIENCE.name(), "kiln"))) {
            String good = hs256(SECRET, claims("p").put("iss", "https://idp.example").put("aud", "kiln"), 300);
            assertEquals(200, get(t, "/v1/backends", good).statusCode());
            String wrongIssuer = hs256(SECRET, claims("p").put("iss", "https://evil.example").put("aud", "kiln"), 300);
            assertInvalidToken(get(t, "/v1/backends", wrongIssuer), wrongIssuer, "issuer");
            String wrongAudience = hs256(SECRET, claims("p").put("iss", "https://idp.example").put("aud", "other"), 300);
            assertInvalidToken(get(t, "/v1/backends", wrongAudience), wrongAudience, "audience");
        }
    }

    @Test
    void apiKeysStillWorkBesideTokensAndAGarbageBearerIsAnInvalidKey() {
        try (TestServer t = server(Map.of(KilnConfig.HTTP_API_KEYS.name(), API_KEY))) {
            assertEquals(200, get(t, "/v1/backends", API_KEY).statusCode());
            assertEquals(200, get(t, "/v1/backends", hs256(SECRET, claims("p"), 300)).statusCode());
            HttpResponse<Buffer> r = get(t, "/v1/backends", "neither-a-key-nor-a-token");
            assertEquals(401, r.statusCode());
            assertEquals("INVALID_API_KEY", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
            assertEquals(401, get(t, "/v1/backends", null).statusCode());
        }
    }

    @Test
    void rateLimitsCountPerSubject() {
        try (TestServer t = server(Map.of(KilnConfig.HTTP_RATE_LIMIT.name(), "0.001", KilnConfig.HTTP_RATE_BURST.name(), "2"))) {
            String alice = hs256(SECRET, claims("alice"), 300);
            String aliceAgain = hs256(SECRET, claims("alice").put("jti", "second-token"), 300);
            assertEquals(200, get(t, "/v1/backends", alice).statusCode());
            assertEquals(200, get(t, "/v1/backends", aliceAgain).statusCode());
            assertEquals(429, get(t, "/v1/backends", alice).statusCode(), "a new token for the same subject shares its bucket");
            assertEquals(200, get(t, "/v1/backends", hs256(SECRET, claims("bob"), 300)).statusCode(), "limits are per subject");
        }
    }

    @Test
    void anRs256PublicKeyAcceptsItsTokensAndRefusesAnHs256TokenKeyedWithThePublicKey(@TempDir Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        Path keyFile = dir.resolve("issuer.pem");
        Files.writeString(keyFile, publicPem);
        JWTAuth issuer = JWTAuth.create(ISSUER_VERTX, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
        String good = issuer.generateToken(claims("p"), new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(300));
        // Algorithm substitution (RFC 8725 §2.1): HMAC keyed with the public key's text, which anyone has.
        String forged = hs256(publicPem, claims("p"), 300);
        try (TestServer t = new TestServer(Map.of(KilnConfig.HTTP_JWT_PUBLIC_KEY_FILE.name(), keyFile.toString()))) {
            assertEquals(200, get(t, "/v1/backends", good).statusCode());
            assertInvalidToken(get(t, "/v1/backends", forged), forged, "not valid");
        }
    }

    @Test
    void badSettingsStopTheStartWithoutShowingTheSecret() {
        Throwable shortSecret = TestServer.deployFailure(Map.of(KilnConfig.HTTP_JWT_SECRET.name(), "too-short-secret"));
        assertTrue(shortSecret.getMessage().contains("at least 32 bytes"), shortSecret.getMessage());
        assertFalse(shortSecret.getMessage().contains("too-short-secret"), shortSecret.getMessage());
        Throwable wrongAlg = TestServer.deployFailure(Map.of(KilnConfig.HTTP_JWT_SECRET.name(), SECRET, KilnConfig.HTTP_JWT_ALGORITHM.name(), "RS256"));
        assertTrue(wrongAlg.getMessage().contains("does not go with"), wrongAlg.getMessage());
        Throwable jwtWithoutKey = TestServer.deployFailure(Map.of(KilnConfig.HTTP_AUTH.name(), "jwt"));
        assertTrue(jwtWithoutKey.getMessage().contains("kiln.http.jwt.secret"), jwtWithoutKey.getMessage());
        assertTrue(KilnConfig.isSecret(KilnConfig.HTTP_JWT_SECRET.name()));
        assertFalse(KilnConfig.of(Map.of(KilnConfig.HTTP_JWT_SECRET.name(), SECRET)).toString().contains(SECRET));
    }

    @Test
    void aJwtSecretAloneTurnsAuthenticationOnAgainstAnExternalKafka() {
        try (TestServer t = server(Map.of(KilnConfig.KAFKA_BOOTSTRAP.name(), "kafka.example:9092"))) {
            assertEquals(401, get(t, "/v1/backends", null).statusCode());
            assertEquals(200, get(t, "/v1/backends", hs256(SECRET, claims("p"), 300)).statusCode());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
