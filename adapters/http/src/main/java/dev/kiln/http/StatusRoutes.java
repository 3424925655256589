package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.backend.BackendHandle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What this Kiln has and how it is: {@code GET /v1/backends}, {@code GET /health} and
 * {@code GET /v1/tuning/{family}}. Read-only views of the runtime.
 *
 * <p>Threads: every handler runs on the event loop; each reads a few counters.
 */
final class StatusRoutes {
    private final KilnRuntime runtime;

    StatusRoutes(KilnRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code GET /v1/backends}: {@code [{"id","available","device","reason","queued","running","model"}, ...]} (model: see {@link ModelRoutes}). */
    void backends(RoutingContext ctx) {
        JsonArray out = new JsonArray();
        for (BackendHandle h : runtime.backends().all()) {
            out.add(new JsonObject()
                    .put("id", h.id())
                    .put("available", h.usable())
                    .put("device", h.liveProbe().device())
                    .put("reason", h.liveProbe().reason())
                    .put("queued", runtime.queued(h.id()))
                    .put("running", runtime.running(h.id()))
                    .put("model", ModelRoutes.modelOf(runtime, h.id())));
        }
        Responses.json(ctx, 200, out.toBuffer());
    }

    /**
     * {@code GET /health}: {@code {"status":"up","backends":{"cpu":"up",...}}}. The process is
     * {@code up} while at least one backend can take jobs; with none it answers 503
     * {@code down}, so a load balancer stops sending work it could only reject.
     */
    void health(RoutingContext ctx) {
        JsonObject backends = new JsonObject();
        boolean any = false;
        for (BackendHandle h : runtime.backends().all()) {
            backends.put(h.id(), h.usable() ? "up" : "down");
            any |= h.usable();
        }
        Responses.json(ctx, any ? 200 : 503, new JsonObject().put("status", any ? "up" : "down").put("backends", backends));
    }

    /**
     * {@code GET /v1/tuning/{family}}: what the runtime's tuner learned for the family — per
     * method, the ω arms with pulls, weights (share of pulls) and mean iterations, the current
     * choice, explored/total jobs, a regret estimate and recent choices — and its Krylov
     * recycling state: {@code recycledSubspaceSize} (Ritz vectors kept for the family) and
     * {@code recycling} (solutions kept, warm starts, refreshes, Ritz values). 404 while the
     * family has no learned state (no job of it has run yet).
     */
    void tuning(RoutingContext ctx) {
        String family = ctx.pathParam("family");
        runtime.tuner().describe(family).ifPresentOrElse(
                m -> Responses.json(ctx, 200, new JsonObject(m)),
                () -> Responses.error(ctx, 404, "NOT_FOUND", "no tuning state for family '" + family
                        + "': no linear job of this family has run yet (ω is learned for omega \"auto\" with method sor, ssor,"
                        + " or pcg with preconditioner ssor; Krylov recycling for any linear job with a family)"));
    }
}
