package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.routing.PerformanceModel;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.spi.JobResult;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code GET /v1/summary[?limit=n]}: what the dashboard shows, in one small document, so a
 * page polling every second costs one request and no Prometheus parsing:
 * <pre>{@code
 * {"uptimeMs": ..,
 *  "jobs": {"finished": {"succeeded": 12, "failed": 1, ...}, "live": {"queued": 2, "running": 1}},
 *  "backends": [{"id","available","queued","running","compared","meanAbsLogError"}, ...],
 *  "recent": [{"id","kind","family","status","backend","method","iterations","residualNorm",
 *              "totalMs","predictedMs","omega","error","ageMs"}, ...]}          (newest first)
 * }</pre>
 * Finished counts come from the {@code kiln_jobs_total} counter (every job since start);
 * recent jobs from the bounded job store (what this process still holds).
 *
 * <p>Threads: the event loop; reads counters and at most {@code limit} records.
 */
final class SummaryRoutes {
    /** Recent jobs listed when the request does not say: a screenful. */
    static final int DEFAULT_LIMIT = 50;
    /** Most recent jobs one request may ask for, so a poll stays small. */
    static final int MAX_LIMIT = 500;

    private final KilnRuntime runtime;

    SummaryRoutes(KilnRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code GET /v1/summary}. */
    void summary(RoutingContext ctx) {
        int limit;
        try {
            String s = ctx.queryParams().get("limit");
            limit = s == null ? DEFAULT_LIMIT : Integer.parseInt(s.trim());
            if (limit < 1 || limit > MAX_LIMIT) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            Responses.error(ctx, 400, "INVALID_OPTIONS", "limit must be an integer in [1, " + MAX_LIMIT + "], was '"
                    + ctx.queryParams().get("limit") + "'");
            return;
        }
        Responses.json(ctx, 200, new JsonObject()
                .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
                .put("jobs", jobs())
                .put("backends", backends())
                .put("recent", recent(limit)));
    }

    private JsonObject jobs() {
        Map<String, Long> finished = new TreeMap<>();
        for (Counter c : runtime.metrics().registry().find("kiln.jobs").counters()) {
            String status = c.getId().getTag("status");
            if (status != null) finished.merge(status, (long) c.count(), Long::sum);
        }
        int queued = 0;
        int running = 0;
        for (BackendHandle h : runtime.backends().all()) {
            queued += runtime.queued(h.id());
            running += runtime.running(h.id());
        }
        return new JsonObject()
                .put("finished", new JsonObject(Map.copyOf(finished)))
                .put("live", new JsonObject().put("queued", queued).put("running", running));
    }

    private JsonArray backends() {
        Optional<CostModel> model = runtime.router().costModel();
        JsonArray out = new JsonArray();
        for (BackendHandle h : runtime.backends().all()) {
            JsonObject b = new JsonObject()
                    .put("id", h.id())
                    .put("available", h.usable())
                    .put("queued", runtime.queued(h.id()))
                    .put("running", runtime.running(h.id()));
            if (model.isPresent()) {
                // The kinds' errors weighted by how many predictions each was measured on.
                long compared = 0;
                double weighted = 0;
                for (PerformanceModel.View v : model.get().views(h.id())) {
                    if (v.compared() > 0 && Double.isFinite(v.meanAbsLogError())) {
                        compared += v.compared();
                        weighted += v.compared() * v.meanAbsLogError();
                    }
                }
                b.put("compared", compared);
                b.put("meanAbsLogError", compared == 0 ? null : weighted / compared);
            }
            out.add(b);
        }
        return out;
    }

    private JsonArray recent(int limit) {
        long now = System.nanoTime();
        JsonArray out = new JsonArray();
        for (JobRecord rec : runtime.recentJobs(limit)) {
            JsonObject j = new JsonObject().put("id", rec.id()).put("status", rec.status().wireName());
            if (rec.kind() != null) j.put("kind", rec.kind().wireName());
            if (rec.family() != null) j.put("family", rec.family());
            if (rec.backend() != null) j.put("backend", rec.backend());
            JobResult r = rec.result().getNow(null);
            if (r != null) {
                if (r.backend() != null) j.put("backend", r.backend());
                if (r.method() != null) j.put("method", r.method());
                if (r.iterations() >= 0) j.put("iterations", r.iterations());
                if (Double.isFinite(r.residualNorm())) j.put("residualNorm", r.residualNorm());
                if (r.timing() != null) j.put("totalMs", r.timing().totalMs());
                if (r.cost() != null && Double.isFinite(r.cost().predictedMs())) j.put("predictedMs", r.cost().predictedMs());
                if (r.parameters().get("omega") instanceof Number w && Double.isFinite(w.doubleValue())) j.put("omega", w.doubleValue());
                if (r.error() != null) j.put("error", r.error().code().wireName());
            }
            j.put("ageMs", (now - rec.acceptedNanos()) / 1_000_000L);
            out.add(j);
        }
        return out;
    }
}
