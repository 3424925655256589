package dev.kiln.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /}: the live dashboard, one self-contained HTML page (a resource beside this
 * class, {@code dashboard.html}, with its script and styles inline). It polls
 * {@code /v1/summary} and {@code /v1/backends}, follows one job over
 * {@code /v1/jobs/{id}/events} and draws its charts as inline SVG, so it needs nothing from
 * any other host: Kiln may run where there is no internet, and so may its users.
 *
 * <p>Threads: the event loop; the page is a constant buffer.
 */
final class DashboardPage {
    /**
     * Only this origin, ever: the page's own inline script and styles, and requests back to
     * Kiln. A page that a plug-in's device string or a job id could inject into would
     * otherwise be able to load code from elsewhere.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Buffer page = ApiDescriptionRoutes.resource(DashboardPage.class, "dashboard.html");

    void serve(RoutingContext ctx) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(page);
    }
}
