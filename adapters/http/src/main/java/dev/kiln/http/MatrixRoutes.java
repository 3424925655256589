package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.problem.InvalidProblemException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/matrices}: a Matrix Market upload, stored by content so that jobs can name
 * it with {@code {"ref": ...}} instead of resending it.
 *
 * <p>Threads: the handler runs on the event loop once the body is read (the body limit is
 * {@code kiln.limits.max-message-bytes}); parsing and fingerprinting run on a Vert.x worker,
 * unordered; the answer is written on the event loop.
 */
final class MatrixRoutes {
    private final Vertx vertx;
    private final MatrixStore store;
    private final MatrixMarketReader.Limits limits;

    MatrixRoutes(Vertx vertx, MatrixStore store, KilnConfig config) {
        this.vertx = vertx;
        this.store = store;
        // The same bounds a job's inline matrix has (the decoder's limits).
        int maxDimension = (int) Math.min(config.getInt(KilnConfig.MAX_UNKNOWNS), MatrixMarketReader.Limits.DEFAULT.maxDimension());
        this.limits = new MatrixMarketReader.Limits(config.getLong(KilnConfig.MAX_NONZEROS), Math.max(1, maxDimension));
    }

    /** {@code PUT /v1/matrices}: 201 {@code {"ref","rows","cols","nnz"}}, or 400 naming the bad line. */
    void upload(RoutingContext ctx) {
        String text = ctx.body().buffer() == null ? "" : ctx.body().asString("UTF-8");
        vertx.executeBlocking(() -> stored(text), false)
                .onSuccess(m -> Responses.json(ctx, 201, m))
                .onFailure(e -> {
                    if (e instanceof InvalidProblemException p) {
                        boolean tooLarge = p.code() == InvalidProblemException.Code.TOO_LARGE;
                        Responses.error(ctx, tooLarge ? 413 : 400, p.code().name(), p.getMessage());
                    } else {
                        ctx.fail(e);
                    }
                });
    }

    /** Worker thread: parse, store (fingerprinting reads every entry) and describe. */
    private JsonObject stored(String text) {
        CsrMatrix m = MatrixMarketReader.parse(text, limits);
        String ref = store.put(m);
        return new JsonObject().put("ref", ref).put("rows", m.rows()).put("cols", m.cols()).put("nnz", m.nnz());
    }
}
