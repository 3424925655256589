package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.routing.PerformanceModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * The learned cost model and the metrics over HTTP: {@code GET /metrics} (Prometheus text),
 * the {@code model} member of each backend in {@code GET /v1/backends}, and
 * {@code DELETE /v1/backends/{id}/model} to forget what was learned about a backend (after a
 * driver upgrade, say); the reset reaches {@code kiln.state} as a tombstone.
 *
 * <p>Threads: handlers run on the event loop; each reads a few small synchronized models or
 * renders the registry, which holds tens of meters.
 */
final class ModelRoutes {
    /** Prometheus' text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final KilnRuntime runtime;

    ModelRoutes(KilnRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code GET /metrics}. */
    void metrics(RoutingContext ctx) {
        ctx.response().setStatusCode(200).putHeader("content-type", PROMETHEUS_TEXT).end(runtime.metrics().scrape());
    }

    /** {@code DELETE /v1/backends/{id}/model}: 200 {@code {"backend":..,"reset":n}}, 404 for an unknown backend. */
    void reset(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (runtime.backends().get(id).isEmpty()) {
            Responses.error(ctx, 404, "NOT_FOUND", "no backend '" + id + "'");
            return;
        }
        Optional<CostModel> m = runtime.router().costModel();
        if (m.isEmpty()) {
            Responses.error(ctx, 409, "NO_MODEL", "this Kiln routes without a learned cost model");
            return;
        }
        Responses.json(ctx, 200, new JsonObject().put("backend", id).put("reset", m.get().reset(id)));
    }

    /**
     * A backend's models, one per job kind: {@code {"kinds":[{"kind","samples","sigmaLog",
     * "exponent","minWork","maxWork","compared","meanAbsLogError","energySamples",
     * "recent":[{"work","predictedMs","actualMs"}]}]}}; {@code null} without a learned model.
     */
    static JsonObject modelOf(KilnRuntime runtime, String backend) {
        Optional<CostModel> m = runtime.router().costModel();
        if (m.isEmpty()) return null;
        JsonArray kinds = new JsonArray();
        for (PerformanceModel.View v : m.get().views(backend)) {
            JsonArray recent = new JsonArray();
            for (PerformanceModel.Comparison c : v.recent()) {
                recent.add(new JsonObject().put("work", c.work()).put("predictedMs", c.predictedMs()).put("actualMs", c.actualMs()));
            }
            kinds.add(new JsonObject()
                    .put("kind", v.kind())
                    .put("samples", v.samples())
                    .put("sigmaLog", finite(v.sigmaLog()))
                    .put("exponent", finite(v.exponent()))
                    .put("minWork", finite(v.minWork()))
                    .put("maxWork", finite(v.maxWork()))
                    .put("compared", v.compared())
                    .put("meanAbsLogError", finite(v.meanAbsLogError()))
                    .put("energySamples", v.energySamples())
                    .put("recent", recent));
        }
        return new JsonObject().put("kinds", kinds);
    }

    /** JSON has no NaN: a figure that does not exist yet is left null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
