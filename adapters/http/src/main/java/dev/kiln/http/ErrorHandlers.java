package dev.kiln.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Router-level error handlers, so no path (no route, wrong method, body over the limit, a
 * handler that threw) ends in Vert.x's default HTML or empty body: each answers with the
 * API's JSON error.
 *
 * <p>Threads: the handlers run on the request's event loop.
 */
final class ErrorHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

    private ErrorHandlers() { }

    /** Installs a JSON error handler for every 4xx and 5xx status on the router. */
    static void install(Router router, long maxBodyBytes) {
        for (int status = 400; status < 600; status++) {
            int s = status;
            router.errorHandler(s, ctx -> handle(router, ctx, s, maxBodyBytes));
        }
    }

    /** The methods of the routes whose path template matches {@code path}, for the {@code Allow} header. */
    private static String allowedMethods(Router router, String path) {
        Set<String> methods = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() == null || r.methods() == null) continue;
            if (template(r.getPath()).matcher(path).matches()) r.methods().forEach(m -> methods.add(m.name()));
        }
        return String.join(", ", methods);
    }

    /** {@code /v1/jobs/:id} → a pattern where each {@code :param} matches one path segment. */
    private static Pattern template(String path) {
        StringBuilder re = new StringBuilder();
        for (String part : path.split("(?=/)")) {
            if (part.startsWith("/:")) re.append("/[^/]+");
            else re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    private static void handle(Router router, RoutingContext ctx, int status, long maxBodyBytes) {
        if (ctx.response().headWritten()) {
            // An SSE stream or a body was already under way: the status is gone, only closing is left.
            if (!Responses.gone(ctx.response())) ctx.response().reset();
            return;
        }
        Throwable failure = ctx.failure();
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        switch (status) {
            case 404 -> Responses.error(ctx, 404, "NOT_FOUND", "no route " + method + " " + path + " (see GET /openapi.yaml for the routes)");
            case 405 -> {
                String allowed = allowedMethods(router, path);
                if (!allowed.isEmpty()) ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
                Responses.error(ctx, 405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed on " + path
                        + (allowed.isEmpty() ? "" : " (allowed: " + allowed + ")"));
            }
            case 413 -> Responses.error(ctx, 413, "TOO_LARGE", "request body exceeds the limit of " + maxBodyBytes
                    + " bytes (kiln.limits.max-message-bytes)");
            default -> {
                if (status >= 500) {
                    LOG.error("{} {} failed with status {}", method, path, status, failure);
                    Responses.error(ctx, status, "INTERNAL", "internal error"
                            + (failure == null ? "" : ": " + failure.getClass().getSimpleName()
                            + (failure.getMessage() == null ? "" : ": " + failure.getMessage())));
                } else {
                    String message = failure instanceof HttpException h && h.getPayload() != null ? h.getPayload()
                            : failure != null && failure.getMessage() != null ? failure.getMessage()
                            : "request failed with status " + status;
                    Responses.error(ctx, status, "BAD_REQUEST", message);
                }
            }
        }
    }
}
