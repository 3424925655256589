package dev.kiln.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a request through only with one of the {@link ApiKeys}, sent as
 * {@code Authorization: Bearer KEY} (RFC 6750 §2.1) or {@code X-Api-Key: KEY}, or — when a JWT key
 * is configured — a valid JWT as {@code Authorization: Bearer TOKEN} ({@link JwtVerifier}). A
 * bearer value that is a configured API key is a key; otherwise, if it has a JWT's shape and JWTs
 * are on, it is checked as a token. Missing credentials, unknown keys and bad or expired tokens
 * all answer 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3: an invalid token is 401
 * {@code invalid_token}; 403 is kept for a caller that is valid but not allowed, which no route
 * has yet). The error codes differ: {@code UNAUTHENTICATED}, {@code INVALID_API_KEY} and
 * {@code INVALID_TOKEN} (with the reason: expired, issuer, audience, or not valid).
 *
 * <p>Open without a key: {@code GET /health} (probes of orchestrators and load balancers carry
 * no secret), {@code GET /metrics} (Prometheus scrapers, usually on an internal network), and
 * {@code GET /} (the dashboard's static page: its data comes from keyed routes) and the API's
 * description ({@code /openapi.yaml}, {@code /v1/schema/*.json}). Everything else needs a key.
 *
 * <p>On success the caller's id — the key's id, or {@code jwt:<sub>} — is put in the context under
 * {@link #CALLER_ID} for the rate limiter. Threads: the event loop, before any body is read; the
 * request is paused while a token is checked.
 */
final class BearerAuthHandler implements Handler<RoutingContext> {
    static final String CALLER_ID = "kiln.callerId";
    private static final Set<String> OPEN_PATHS = Set.of("/health", "/metrics", "/",
            "/openapi.yaml", "/v1/schema/job.json", "/v1/schema/result.json");

    private final ApiKeys keys;
    private final Optional<JwtVerifier> tokens;

    BearerAuthHandler(ApiKeys keys, Optional<JwtVerifier> tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    static boolean open(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        return (m == HttpMethod.GET || m == HttpMethod.HEAD) && OPEN_PATHS.contains(ctx.normalizedPath());
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (open(ctx)) {
            ctx.next();
            return;
        }
        Optional<String> presented = presented(ctx);
        if (presented.isEmpty()) {
            refuse(ctx, "UNAUTHENTICATED", "Bearer realm=\"kiln\"", tokens.isPresent()
                    ? "this route needs an API key or a token: send 'Authorization: Bearer <key or JWT>' or 'X-Api-Key: <key>'"
                    : "this route needs an API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
            return;
        }
        Optional<String> id = keys.idOf(presented.get());
        if (id.isPresent()) {
            ctx.put(CALLER_ID, id.get());
            ctx.next();
            return;
        }
        if (tokens.isPresent() && JwtVerifier.looksLikeJwt(presented.get())) {
            // As Vert.x Web's own authentication handlers do: hold the body while the check may be pending.
            boolean pause = !ctx.request().isEnded();
            if (pause) ctx.request().pause();
            tokens.get().identity(presented.get()).onComplete(ar -> {
                if (pause && !ctx.request().isEnded()) ctx.request().resume();
                if (ar.succeeded()) {
                    ctx.put(CALLER_ID, ar.result());
                    ctx.next();
                } else {
                    // Neither the token nor its claims are echoed or logged; the reason is generic words.
                    refuse(ctx, "INVALID_TOKEN", "Bearer realm=\"kiln\", error=\"invalid_token\"", ar.cause().getMessage());
                }
            });
            return;
        }
        // The presented key is never echoed or logged.
        refuse(ctx, "INVALID_API_KEY", "Bearer realm=\"kiln\", error=\"invalid_token\"",
                tokens.isPresent() ? "the API key or token is not valid" : "the API key is not valid");
    }

    private static Optional<String> presented(RoutingContext ctx) {
        String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (auth != null) {
            String a = auth.strip();
            if (a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) return Optional.of(a.substring(7).strip());
        }
        String x = ctx.request().getHeader("X-Api-Key");
        return x == null || x.isBlank() ? Optional.empty() : Optional.of(x.strip());
    }

    private static void refuse(RoutingContext ctx, String code, String challenge, String message) {
        // The body (if any) is not read: close the connection after answering rather than drain it.
        if (ctx.request().headers().contains(HttpHeaders.CONTENT_LENGTH) || ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        ctx.response().putHeader("WWW-Authenticate", challenge);
        Responses.error(ctx, 401, code, message);
    }
}
