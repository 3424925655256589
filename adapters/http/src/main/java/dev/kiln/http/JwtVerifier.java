package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks JWT bearer tokens (RFC 7519), the alternative to API keys for callers whose identity
 * provider issues tokens: a signature by the configured key with the configured algorithm only,
 * {@code exp} required and not passed, {@code nbf} reached, {@code iss} and {@code aud} when
 * configured, and a {@code sub} — the caller's identity, {@code jwt:<sub>}, is what rate limits
 * count against. Verification is Vert.x's ({@code vertx-auth-jwt}); the extra rules here are the
 * ones it leaves optional.
 *
 * <p>Why {@code exp} is required: a token without one is valid for ever, a password that cannot be
 * revoked; RFC 8725 §3.10 asks verifiers to apply such policy. Why one algorithm: a verifier that
 * takes the algorithm from the token is open to algorithm substitution (RFC 8725 §2.1, §3.1).
 *
 * <p>Immutable and thread-safe; verification is synchronous CPU work (an HMAC, or an RSA/EC
 * signature check of well under a millisecond), so it runs on the event loop.
 */
final class JwtVerifier {
    /** RFC 7518 §3.2: an HMAC-SHA-256 key must be at least as long as the hash output (256 bits). */
    static final int MIN_SECRET_BYTES = 32;
    /** Three base64url segments; anything else is not a JWS compact serialisation and so not a JWT for us. */
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final List<String> HMAC = List.of("HS256", "HS384", "HS512");
    private static final List<String> PUBLIC_KEY = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    private final JWTAuth auth;
    private final String algorithm;

    private JwtVerifier(JWTAuth auth, String algorithm) {
        this.auth = auth;
        this.algorithm = algorithm;
    }

    /** The one JWS algorithm accepted, for the start-up log. */
    String algorithm() { return algorithm; }

    /**
     * The verifier the config describes, or empty when no JWT key is configured.
     *
     * @throws IllegalArgumentException for inconsistent settings; no message holds the secret
     */
    static Optional<JwtVerifier> fromConfig(Vertx vertx, KilnConfig config) {
        String secret = config.get(KilnConfig.HTTP_JWT_SECRET);
        String keyFile = config.get(KilnConfig.HTTP_JWT_PUBLIC_KEY_FILE).strip();
        if (secret.isEmpty() && keyFile.isEmpty()) return Optional.empty();
        if (!secret.isEmpty() && !keyFile.isEmpty()) {
            throw new IllegalArgumentException("set one of kiln.http.jwt.secret and kiln.http.jwt.public-key-file, not both");
        }
        String alg = config.get(KilnConfig.HTTP_JWT_ALGORITHM).strip().toUpperCase(Locale.ROOT);
        PubSecKeyOptions key;
        if (!secret.isEmpty()) {
            if (alg.isEmpty()) alg = "HS256";
            if (!HMAC.contains(alg)) {
                throw new IllegalArgumentException("kiln.http.jwt.algorithm " + alg + " does not go with kiln.http.jwt.secret: use one of " + HMAC);
            }
            if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("kiln.http.jwt.secret must have at least " + MIN_SECRET_BYTES
                        + " bytes (RFC 7518 §3.2); generate one with: openssl rand -hex 32");
            }
            key = new PubSecKeyOptions().setAlgorithm(alg).setBuffer(Buffer.buffer(secret, "UTF-8"));
        } else {
            if (alg.isEmpty()) alg = "RS256";
            if (!PUBLIC_KEY.contains(alg)) {
                throw new IllegalArgumentException("kiln.http.jwt.algorithm " + alg + " does not go with kiln.http.jwt.public-key-file: use one of " + PUBLIC_KEY);
            }
            String pem;
            try {
                pem = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException("kiln.http.jwt.public-key-file: cannot read " + keyFile + ": " + e.getMessage(), e);
            }
            if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
                throw new IllegalArgumentException("kiln.http.jwt.public-key-file " + keyFile + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
            }
            key = new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem);
        }
        int leeway = config.getInt(KilnConfig.HTTP_JWT_LEEWAY_S);
        if (leeway < 0) throw new IllegalArgumentException("kiln.http.jwt.leeway-seconds must be ≥ 0");
        JWTOptions checks = new JWTOptions().setLeeway(leeway).setIgnoreExpiration(false);
        String issuer = config.get(KilnConfig.HTTP_JWT_ISSUER).strip();
        if (!issuer.isEmpty()) checks.setIssuer(issuer);
        String audience = config.get(KilnConfig.HTTP_JWT_AUDIENCE).strip();
        if (!audience.isEmpty()) checks.addAudience(audience);
        JWTAuth auth;
        try {
            auth = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(checks));
        } catch (RuntimeException e) {
            // e.g. a PEM that is not a key of the algorithm's type; the message is Vert.x's, with no secret in it.
            throw new IllegalArgumentException("the JWT key cannot be used with " + alg + ": " + e.getMessage(), e);
        }
        return Optional.of(new JwtVerifier(auth, alg));
    }

    /** Whether {@code s} has the shape of a JWT (so it is checked as one, not looked up as an API key). */
    static boolean looksLikeJwt(String s) {
        return s.length() <= 8192 && COMPACT_JWS.matcher(s).matches();
    }

    /**
     * The caller's identity ({@code jwt:<sub>}) when {@code token} is valid; otherwise a failed
     * future whose message says why in words safe to return to the caller (it never contains the token).
     */
    Future<String> identity(String token) {
        return auth.authenticate(new TokenCredentials(token)).recover(e -> Future.failedFuture(reason(e)))
                .compose(JwtVerifier::checkedIdentity);
    }

    private static Future<String> checkedIdentity(User user) {
        // Vert.x keeps the verified payload as the "accessToken" attribute (exp, nbf, sub moved out of the principal).
        Object payload = user.attributes().getValue("accessToken");
        JsonObject claims = payload instanceof JsonObject j ? j : user.principal();
        if (!(claims.getValue("exp") instanceof Number)) {
            return Future.failedFuture("the token has no exp (expiry) claim; Kiln accepts only tokens that expire");
        }
        Object sub = claims.getValue("sub");
        if (!(sub instanceof String s) || s.isBlank() || s.length() > 256) {
            return Future.failedFuture("the token has no sub (subject) claim of 1..256 characters");
        }
        return Future.succeededFuture("jwt:" + s);
    }

    /** Vert.x's failure, as words for the caller: expired, wrong issuer or audience, or otherwise not valid. */
    private static String reason(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("expired")) return "the token has expired";
        if (m.contains("issuer")) return "the token's issuer (iss) is not the one Kiln trusts";
        if (m.contains("audience")) return "the token's audience (aud) does not include this service";
        if (m.contains("nbf") || m.contains("not before")) return "the token is not valid yet (nbf)";
        return "the token is not valid (signature, algorithm or format)";
    }
}
