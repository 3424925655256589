package dev.kiln.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-caller rate limit: a {@link TokenBucket} per API key id or JWT subject (put in the context by
 * {@link BearerAuthHandler}); over the limit the request is answered 429 with
 * {@code Retry-After} in whole seconds (RFC 6585 §4, RFC 9110 §10.2.3) and the error code
 * {@code RATE_LIMITED}. Requests without a key id (open routes, or authentication off) are
 * not limited.
 *
 * <p>Threads: the event loop; buckets are created once per caller: bounded by the configured keys,
 * and for JWTs by the subjects the trusted issuer signs tokens for.
 */
final class RateLimitHandler implements Handler<RoutingContext> {
    private final double perSecond;
    private final int burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    RateLimitHandler(double perSecond, int burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = nanoClock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.get(BearerAuthHandler.CALLER_ID);
        if (id == null) {
            ctx.next();
            return;
        }
        long now = clock.getAsLong();
        long waitNanos = buckets.computeIfAbsent(id, k -> new TokenBucket(perSecond, burst, now)).take(now);
        if (waitNanos == 0) {
            ctx.next();
            return;
        }
        long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        if (ctx.request().headers().contains(HttpHeaders.CONTENT_LENGTH) || ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        Responses.error(ctx, 429, "RATE_LIMITED", "caller " + id + " exceeded " + perSecond + " requests per second (burst "
                + burst + "); retry after " + seconds + " s");
    }
}
