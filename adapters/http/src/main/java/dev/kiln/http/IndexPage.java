package dev.kiln.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /}: a static page naming the routes with an example, for a human who opens the
 * URL Kiln printed at start. Not a dashboard (that arrives with issue 10).
 *
 * <p>Threads: the event loop; the page is a constant.
 */
final class IndexPage {
    private IndexPage() { }

    private static final String HTML = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Kiln</title>
            <style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
            code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.6rem;overflow-x:auto}td{padding:.15rem .8rem .15rem 0}</style>
            </head>
            <body>
            <h1>Kiln</h1>
            <p>An event-driven solver runtime. Jobs and results are JSON (wire format v1); every error is
            <code>{"error":{"code":..,"message":..}}</code>.</p>
            <table>
            <tr><td><code>POST /v1/jobs[?wait=ms]</code></td><td>submit a job: 202 with its id, or with <code>wait</code> the result (200) if it arrives in time</td></tr>
            <tr><td><code>GET /v1/jobs/{id}[?wait=ms]</code></td><td>the result once finished, else the live status</td></tr>
            <tr><td><code>DELETE /v1/jobs/{id}</code></td><td>cancel a job</td></tr>
            <tr><td><code>GET /v1/jobs/{id}/events</code></td><td>Server-Sent Events: progress, then the result</td></tr>
            <tr><td><code>PUT /v1/matrices</code></td><td>upload a Matrix Market file; jobs refer to it by <code>{"ref": ...}</code></td></tr>
            <tr><td><code>GET /v1/backends</code></td><td>backends, their devices, queues and learned cost models</td></tr>
            <tr><td><code>DELETE /v1/backends/{id}/model</code></td><td>forget what was learned about a backend's cost</td></tr>
            <tr><td><code>GET /v1/tuning/{family}</code></td><td>what the tuner learned for a family (ω arms, current choice)</td></tr>
            <tr><td><code>GET /health</code></td><td>liveness and backend status</td></tr>
            <tr><td><code>GET /metrics</code></td><td>Prometheus metrics</td></tr>
            </table>
            <h2>Example</h2>
            <pre>curl -s -H 'Content-Type: application/json' 'http://HOST/v1/jobs?wait=10000' -d '{
              "kind": "linear",
              "problem": {"matrix": {"generator": "poisson2d", "nx": 32}, "rhs": {"generator": "a-times-ones"}},
              "options": {"tolerance": 1e-8}
            }'</pre>
            </body>
            </html>
            """;

    static void serve(RoutingContext ctx) {
        String host = ctx.request().authority() == null ? "localhost:8080" : ctx.request().authority().toString();
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .end(HTML.replace("HOST", escape(host)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&quot;");
    }
}
