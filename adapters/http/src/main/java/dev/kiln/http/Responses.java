package dev.kiln.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the API's JSON answers. Every error has the wire format's shape
 * {@code {"error":{"code":..,"message":..}}}, so a client parses one format whether the
 * fault is in its job, its URL or in Kiln.
 *
 * <p>Threads: call on the request's event loop. A response the client already closed (it
 * gave up during a {@code ?wait}) or that was already sent is left alone.
 */
final class Responses {
    static final String JSON = "application/json";

    private Responses() { }

    /** Sends {@code body} (already JSON) with the status. */
    static void json(RoutingContext ctx, int status, byte[] body) {
        json(ctx, status, Buffer.buffer(body));
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        json(ctx, status, body.toBuffer());
    }

    static void json(RoutingContext ctx, int status, Buffer body) {
        HttpServerResponse r = ctx.response();
        if (gone(r)) return;
        r.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
    }

    /** Sends {@code {"error":{"code":..,"message":..}}}. */
    static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, errorBody(code, message));
    }

    static JsonObject errorBody(String code, String message) {
        return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
    }

    /** {@code {"id":..,"status":..}}: what a job is doing now. */
    static JsonObject status(String id, String status) {
        return new JsonObject().put("id", id).put("status", status);
    }

    static boolean gone(HttpServerResponse r) {
        return r.ended() || r.closed();
    }
}
