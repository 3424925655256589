package dev.kiln.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Refuses HTML-form bodies (415) before the body is read. Kiln's bodies are a JSON document
 * or Matrix Market text, read as raw bytes; a form content type would make Vert.x decode
 * the body as form fields too, which fails on documents over its form limits (8 KiB) with
 * an error that says nothing useful. {@code curl -d} sends exactly that content type, so the
 * message says what to send instead (Elasticsearch answers such requests the same way).
 *
 * <p>Threads: the event loop, before the body handler.
 */
final class RawBodyOnly {
    private RawBodyOnly() { }

    static void handle(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT).trim();
        if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
            // The body is not read: close the connection after answering rather than drain it.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            Responses.error(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type " + type.trim() + " is not accepted on "
                    + ctx.request().path() + ": send the raw document, e.g. Content-Type: application/json for a job "
                    + "or text/plain for a Matrix Market file (curl: --json @job.json, or -H 'Content-Type: application/json' "
                    + "--data-binary @job.json; curl -d sends a form)");
            return;
        }
        ctx.next();
    }
}
