package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code POST /v1/jobs}, {@code GET /v1/jobs/{id}} and {@code DELETE /v1/jobs/{id}}: the
 * HTTP face of {@link KilnRuntime#submit}, {@link KilnRuntime#find} and
 * {@link KilnRuntime#cancel}. No scheduling here; results are written with the runtime's
 * {@link ResultEncoder}, so HTTP and Kafka carry byte-identical JSON.
 *
 * <p>Threads: every handler runs on the verticle's event loop and never blocks it. Decoding
 * (CPU work that grows with the document) runs on a Vert.x worker, unordered so large
 * documents do not queue behind each other; waiting for a result is a future raced against
 * a timer.
 */
final class JobRoutes {
    private final Vertx vertx;
    private final Context context;
    private final KilnRuntime runtime;
    private final ResultEncoder encoder;

    JobRoutes(Vertx vertx, Context context, KilnRuntime runtime, ResultEncoder encoder) {
        this.vertx = vertx;
        this.context = context;
        this.runtime = runtime;
        this.encoder = encoder;
    }

    /**
     * {@code POST /v1/jobs[?wait=ms]}. Runs on the event loop once the body is read; the
     * decode hops to a worker and the answer is written back on the event loop.
     */
    void submit(RoutingContext ctx) {
        Optional<WaitParameter> wait = wait(ctx);
        if (wait.isEmpty()) return;
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        vertx.<Job>executeBlocking(() -> runtime.decoder().decode(bytes), false)
                .onSuccess(job -> submitDecoded(ctx, job, wait.get()))
                .onFailure(e -> {
                    if (e instanceof JobRejectedException r) rejected(ctx, r);
                    else ctx.fail(e);
                });
    }

    /** Event loop. */
    private void submitDecoded(RoutingContext ctx, Job job, WaitParameter wait) {
        Submission s = runtime.submit(job);
        switch (s) {
            case Submission.Accepted a -> {
                ctx.response().putHeader(HttpHeaders.LOCATION, location(a.record().id()));
                if (wait.waits()) {
                    ResultWait.upTo(vertx, context, a.record(), wait.millis())
                            .onSuccess(r -> answerWaited(ctx, a.record(), r, 202))
                            .onFailure(ctx::fail);
                } else if (a.duplicate()) {
                    answerWaited(ctx, a.record(), a.record().result().getNow(null), 202);
                } else {
                    // Submitted without waiting: 202 even if a tiny job already finished, so a
                    // client always learns the id the same way; the status says where it is now.
                    Responses.json(ctx, 202, Responses.status(a.record().id(), a.record().status().wireName()));
                }
            }
            case Submission.Rejected r -> Responses.json(ctx, 400, encoder.encode(r.record().result().join()));
            case Submission.QueueFull q -> {
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                Responses.error(ctx, 503, "QUEUE_FULL", q.reason());
            }
        }
    }

    /**
     * A document that is not a job. Unparseable bytes have no id to file them under, so they
     * get a bare error; any other rejection is stored as that job's {@code rejected} result
     * (so {@code GET /v1/jobs/{id}} finds it, as it would a Kafka rejection) and returned whole.
     */
    private void rejected(RoutingContext ctx, JobRejectedException e) {
        if (e.unparseable()) {
            Responses.error(ctx, 400, e.code().wireName(), e.getMessage());
            return;
        }
        // The runtime answers with this document's own rejection, filed only when its id is free,
        // so a bad document reusing a known job's id never answers for that job. Already complete.
        JobResult r = runtime.reject(e).result().join();
        Responses.json(ctx, 400, encoder.encode(r));
    }

    /** {@code GET /v1/jobs/{id}[?wait=ms]}. Event loop. */
    void get(RoutingContext ctx) {
        Optional<WaitParameter> wait = wait(ctx);
        if (wait.isEmpty()) return;
        Optional<JobRecord> rec = find(ctx);
        if (rec.isEmpty()) return;
        ResultWait.upTo(vertx, context, rec.get(), wait.get().millis())
                .onSuccess(r -> answerWaited(ctx, rec.get(), r, 200))
                .onFailure(ctx::fail);
    }

    /**
     * {@code DELETE /v1/jobs/{id}}. Event loop. A queued job is cancelled at once; a running
     * one is asked to stop and reports {@code running} until its backend notices.
     */
    void cancel(RoutingContext ctx) {
        Optional<JobRecord> rec = find(ctx);
        if (rec.isEmpty()) return;
        JobStatus before = rec.get().status();
        if (before.terminal()) {
            alreadyFinished(ctx, rec.get(), before);
            return;
        }
        runtime.cancel(rec.get().id());
        Responses.json(ctx, 202, Responses.status(rec.get().id(), rec.get().status().wireName()));
    }

    private static void alreadyFinished(RoutingContext ctx, JobRecord rec, JobStatus status) {
        Responses.json(ctx, 409, Responses.errorBody("ALREADY_FINISHED", "job '" + rec.id() + "' already finished with status "
                + status.wireName() + "; there is nothing to cancel").put("id", rec.id()).put("status", status.wireName()));
    }

    /** The result when there is one (200), else the live status with {@code pendingStatus}. */
    private void answerWaited(RoutingContext ctx, JobRecord rec, JobResult result, int pendingStatus) {
        if (result != null) Responses.json(ctx, 200, encoder.encode(result));
        else Responses.json(ctx, pendingStatus, Responses.status(rec.id(), rec.status().wireName()));
    }

    /** The job named by the path, or empty after answering 404. */
    private Optional<JobRecord> find(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<JobRecord> rec = runtime.find(id);
        if (rec.isEmpty()) Responses.error(ctx, 404, "NOT_FOUND", "no job with id '" + id + "'");
        return rec;
    }

    /** The {@code wait} parameter, or empty after answering 400. */
    static Optional<WaitParameter> wait(RoutingContext ctx) {
        try {
            return Optional.of(WaitParameter.parse(ctx.queryParam("wait")));
        } catch (IllegalArgumentException e) {
            Responses.error(ctx, 400, "INVALID_OPTIONS", e.getMessage());
            return Optional.empty();
        }
    }

    static String location(String id) {
        return "/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
