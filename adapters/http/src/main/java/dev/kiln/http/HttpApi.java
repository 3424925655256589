package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.ResultEncoder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Optional;

/**
 * Kiln's HTTP API (see DESIGN.md, "HTTP"): a Vert.x verticle serving the job, matrix,
 * backend and health routes over a {@link KilnRuntime} it does not own.
 *
 * <pre>{@code
 * HttpApi api = HttpApi.deploy(vertx, runtime).await();  // or compose the future
 * int port = api.actualPort();                           // kiln.http.port=0 picks a free one
 * api.close();                                           // undeploys; the runtime stays up
 * }</pre>
 *
 * <p>Threads: {@link #start()} and {@link #stop()} run on the verticle's event loop, as do
 * all route handlers; none of them blocks it. Decoding jobs and parsing uploads run on
 * Vert.x workers; progress arrives on solver threads and hops to the event loop.
 */
public final class HttpApi extends VerticleBase {
    private final KilnRuntime runtime;
    private final String host;
    private final int port;
    private final ResultEncoder encoder = new ResultEncoder();
    private volatile HttpServer server;
    /** The routes served, once started (the OpenAPI test checks that each is documented). */
    private volatile List<Route> routes = List.of();

    /** Listens where the runtime's config says ({@code kiln.http.host}, {@code kiln.http.port}). */
    public HttpApi(KilnRuntime runtime) {
        this(runtime, runtime.config().get(KilnConfig.HTTP_HOST), runtime.config().getInt(KilnConfig.HTTP_PORT));
    }

    /** Listens on {@code host:port}; port 0 picks a free port (see {@link #actualPort()}). */
    public HttpApi(KilnRuntime runtime, String host, int port) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("kiln.http.port must be in [0, 65535], was " + port);
        this.runtime = runtime;
        this.host = host;
        this.port = port;
    }

    /**
     * Deploys an API for {@code runtime} on {@code vertx}, listening where the runtime's config
     * says. The future completes, on a Vert.x thread, once the server is listening.
     */
    public static Future<HttpApi> deploy(Vertx vertx, KilnRuntime runtime) {
        HttpApi api = new HttpApi(runtime);
        return vertx.deployVerticle(api).map(id -> api);
    }

    /** Event loop: builds the router and starts listening. */
    @Override
    public Future<?> start() {
        Router r = router();
        routes = r.getRoutes();
        HttpServerOptions options;
        try {
            options = HttpTls.apply(new HttpServerOptions().setHost(host).setPort(port), runtime.config());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return vertx.createHttpServer(options)
                .requestHandler(r)
                .listen()
                .onSuccess(s -> server = s);
    }

    /** Event loop: stops listening and closes open connections (SSE streams end). */
    @Override
    public Future<?> stop() {
        HttpServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    /** The port the server listens on, once started (the chosen one when configured as 0); -1 before. */
    public int actualPort() {
        HttpServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    /** The routes this API serves; empty before {@link #start()}. */
    List<Route> routes() {
        return routes;
    }

    /** Undeploys this verticle (stopping the server). The runtime is left running: its owner closes it. */
    public Future<Void> close() {
        String id = deploymentID();
        return id == null ? Future.succeededFuture() : vertx.undeploy(id);
    }

    private Router router() {
        long maxBody = runtime.config().getLong(KilnConfig.MAX_MESSAGE_BYTES);
        // No file uploads: BodyHandler would otherwise create an uploads folder in the working directory.
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBody);
        JobRoutes jobs = new JobRoutes(vertx, context, runtime, encoder);
        MatrixRoutes matrices = new MatrixRoutes(vertx, runtime.matrices(), runtime.config());
        StatusRoutes status = new StatusRoutes(runtime);
        ModelRoutes models = new ModelRoutes(runtime);

        Router router = Router.router(vertx);
        // First of all: authentication and per-key rate limits (issue 9), before any body is read.
        HttpSecurity.install(vertx, router, runtime.config());
        // Routes of their own: Vert.x requires the body handler to be the first on its route.
        router.post("/v1/jobs").handler(RawBodyOnly::handle);
        router.put("/v1/matrices").handler(RawBodyOnly::handle);
        router.post("/v1/jobs").handler(body).handler(jobs::submit);
        router.get("/v1/jobs/:id/events").handler(this::events);
        router.get("/v1/jobs/:id").handler(jobs::get);
        router.delete("/v1/jobs/:id").handler(jobs::cancel);
        router.put("/v1/matrices").handler(body).handler(matrices::upload);
        router.get("/v1/backends").handler(status::backends);
        router.delete("/v1/backends/:id/model").handler(models::reset);
        router.get("/metrics").handler(models::metrics);
        router.get("/v1/tuning/:family").handler(status::tuning);
        router.get("/health").handler(status::health);
        // Issue 10: the dashboard, its summary, and the API's own description (OpenAPI, wire schemas).
        ApiDescriptionRoutes described = new ApiDescriptionRoutes();
        router.get("/").handler(new DashboardPage()::serve);
        router.get("/v1/summary").handler(new SummaryRoutes(runtime)::summary);
        router.get("/openapi.yaml").handler(described::openApi);
        router.get("/v1/schema/job.json").handler(described::jobSchema);
        router.get("/v1/schema/result.json").handler(described::resultSchema);
        ErrorHandlers.install(router, maxBody);
        return router;
    }

    /** {@code GET /v1/jobs/{id}/events}. Event loop; see {@link JobEventStream} for the threads after. */
    private void events(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<JobRecord> rec = runtime.find(id);
        if (rec.isEmpty()) {
            Responses.error(ctx, 404, "NOT_FOUND", "no job with id '" + id + "'");
            return;
        }
        JobEventStream.open(ctx.response(), context, encoder, runtime.progress(), rec.get());
    }
}
