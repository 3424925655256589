package dev.kiln.http;

import dev.kiln.runtime.wire.JobDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API describing itself: {@code GET /openapi.yaml} (OpenAPI 3.1, a resource beside this
 * class) and the wire format's JSON Schemas {@code GET /v1/schema/job.json} and
 * {@code /v1/schema/result.json} (resources of the runtime, which owns the wire format).
 * The documents are read once, at construction, and served as they are.
 *
 * <p>Threads: handlers run on the event loop and write a constant buffer.
 */
final class ApiDescriptionRoutes {
    /** The media type of RFC 9512 (YAML), which OpenAPI tools accept. */
    static final String YAML = "application/yaml; charset=utf-8";
    /** JSON Schema's own media type (draft 2020-12, §14 of the core specification). */
    static final String SCHEMA_JSON = "application/schema+json";

    private final Buffer openApi = resource(ApiDescriptionRoutes.class, "openapi.yaml");
    private final Buffer jobSchema = resource(JobDecoder.class, "job.schema.json");
    private final Buffer resultSchema = resource(JobDecoder.class, "result.schema.json");

    /** {@code GET /openapi.yaml}. */
    void openApi(RoutingContext ctx) {
        send(ctx, YAML, openApi);
    }

    /** {@code GET /v1/schema/job.json}. */
    void jobSchema(RoutingContext ctx) {
        send(ctx, SCHEMA_JSON, jobSchema);
    }

    /** {@code GET /v1/schema/result.json}. */
    void resultSchema(RoutingContext ctx) {
        send(ctx, SCHEMA_JSON, resultSchema);
    }

    private static void send(RoutingContext ctx, String type, Buffer body) {
        // Browsers and tools may fetch the description from a page on another origin (an
        // editor, a docs site); it holds nothing secret.
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .end(body);
    }

    /** A resource next to {@code owner}; its absence is a packaging bug, so it fails construction. */
    static Buffer resource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " missing beside " + owner.getName());
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read resource " + name, e);
        }
    }
}
