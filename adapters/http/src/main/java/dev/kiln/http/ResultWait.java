package dev.kiln.http;

import dev.kiln.runtime.store.JobRecord;
import dev.kiln.spi.JobResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

/**
 * Waits for a job's result without blocking an event loop: the record's result future raced
 * against a Vert.x timer.
 */
final class ResultWait {
    private ResultWait() { }

    /**
     * The job's result if it arrives within {@code millis}, else {@code null} (the job is still
     * queued or running). Completes on {@code context} (the request's event loop), which is
     * where the caller writes its answer; the timer is cancelled as soon as the result comes.
     */
    static Future<JobResult> upTo(Vertx vertx, Context context, JobRecord record, long millis) {
        JobResult now = record.result().getNow(null);
        if (now != null || millis <= 0) return Future.succeededFuture(now);
        Future<JobResult> result = Future.fromCompletionStage(record.result(), context);
        Timer timer = vertx.timer(millis);
        result.onSuccess(r -> timer.cancel());
        return Future.any(result, timer).map(done -> result.succeeded() ? result.result() : null);
    }
}
