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
 * {@code Authorization: Bearer KEY} (RFC 6750 §2.1) or {@code X-Api-Key: KEY}. Missing and
 * unknown keys both answer 401 with {@code WWW-Authenticate: Bearer} (RFC 6750 §3: an invalid
 * token is 401 {@code invalid_token}; 403 is kept for a key that is valid but not allowed,
 * which no route has yet). The error codes differ: {@code UNAUTHENTICATED} and
 * {@code INVALID_API_KEY}.
 *
 * <p>Open without a key: {@code GET /health} (probes of orchestrators and load balancers carry
 * no secret), {@code GET /metrics} (Prometheus scrapers, usually on an internal network), and
 * {@code GET /} (the dashboard's static page: its data comes from keyed routes) and the API's
 * description ({@code /openapi.yaml}, {@code /v1/schema/*.json}). Everything else needs a key.
 *
 * <p>On success the key's id is put in the context under {@link #KEY_ID} for the rate limiter.
 * Threads: the event loop, before any body is read.
 */
final class ApiKeyAuthHandler implements Handler<RoutingContext> {
    static final String KEY_ID = "kiln.apiKeyId";
    private static final Set<String> OPEN_PATHS = Set.of("/health", "/metrics", "/",
            "/openapi.yaml", "/v1/schema/job.json", "/v1/schema/result.json");

    private final ApiKeys keys;

    ApiKeyAuthHandler(ApiKeys keys) {
        this.keys = keys;
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
            refuse(ctx, "UNAUTHENTICATED", "Bearer realm=\"kiln\"",
                    "this route needs an API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
            return;
        }
        Optional<String> id = keys.idOf(presented.get());
        if (id.isEmpty()) {
            // The presented key is never echoed or logged.
            refuse(ctx, "INVALID_API_KEY", "Bearer realm=\"kiln\", error=\"invalid_token\"", "the API key is not valid");
            return;
        }
        ctx.put(KEY_ID, id.get());
        ctx.next();
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
