package dev.kiln.http;

import dev.kiln.runtime.progress.ProgressBus;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.ProgressEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * One client's Server-Sent Events stream of one job ({@code GET /v1/jobs/{id}/events}):
 * {@code event: progress} frames while it runs, then one {@code event: result} frame with
 * the result JSON, then the end of the response. A job that has already finished gets the
 * result frame alone.
 *
 * <p>Threads: progress listeners run on the solving thread; they encode the event there and
 * hop to the request's context, where every write happens. The result arrives on the
 * context too, after any progress the solver published before finishing (both hops queue on
 * the same context in the order the solver made them). Progress frames are samples, so
 * when the client reads slower than they come they are dropped rather than buffered; the
 * result frame is always written.
 */
final class JobEventStream {
    private static final Logger LOG = LoggerFactory.getLogger(JobEventStream.class);

    private final HttpServerResponse response;
    private final Context context;
    private final ResultEncoder encoder;
    private AutoCloseable subscription;
    private boolean done;

    private JobEventStream(HttpServerResponse response, Context context, ResultEncoder encoder) {
        this.response = response;
        this.context = context;
        this.encoder = encoder;
    }

    /** Starts streaming {@code record} to {@code response}. Call on the request's context. */
    static void open(HttpServerResponse response, Context context, ResultEncoder encoder, ProgressBus bus, JobRecord record) {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no"); // proxies such as nginx would hold the frames back
        JobEventStream stream = new JobEventStream(response, context, encoder);
        JobResult finished = record.result().getNow(null);
        if (finished != null) {
            stream.finish(finished);
            return;
        }
        response.closeHandler(v -> stream.close());
        stream.subscription = bus.subscribe(record.id(), stream::onProgress);
        // A comment line sends the headers now, so the client knows the stream is open.
        response.write(": job " + record.id().replace('\n', ' ') + "\n\n");
        Future.fromCompletionStage(record.result(), context).onSuccess(stream::finish);
    }

    /** Solving thread: encode here, write on the context. */
    private void onProgress(ProgressEvent e) {
        Buffer frame = frame("progress", encoder.encode(e));
        context.runOnContext(v -> {
            if (done || Responses.gone(response) || response.writeQueueFull()) return;
            response.write(frame);
        });
    }

    /** Context: the last frame, then the end of the stream. */
    private void finish(JobResult r) {
        if (done) return;
        close();
        if (Responses.gone(response)) return;
        response.end(frame("result", encoder.encode(r)));
    }

    /** Context: stops listening (the job finished or the client went away). */
    private void close() {
        done = true;
        if (subscription == null) return;
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.warn("could not unsubscribe an SSE stream: {}", e.toString());
        }
        subscription = null;
    }

    private static Buffer frame(String event, byte[] json) {
        // The encoder writes compact JSON (no line breaks), so one data line carries it.
        Buffer b = Buffer.buffer(json.length + event.length() + 16);
        b.appendString("event: ").appendString(event).appendString("\ndata: ");
        b.appendBytes(json);
        b.appendString("\n\n", StandardCharsets.UTF_8.name());
        return b;
    }
}
