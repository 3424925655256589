package dev.kiln.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.kiln.http.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /openapi.yaml} against the real router of a real Kiln (runtime, CPU backend,
 * HTTP server): every route the Vert.x router has is documented, every documented operation
 * answers on the running server (neither the router's 404 nor 405) with a status the document
 * lists for it, and the document is a valid OpenAPI 3.1 contract whose references resolve.
 */
class OpenApiTest {
    /** A Matrix Market file small enough to read at a glance: diag(2, 3). */
    private static final String MATRIX = "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 2.0\n2 2 3.0\n";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    private static TestServer server;
    private static JsonObject doc;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of());
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/openapi.yaml");
        assertEquals(200, r.statusCode());
        assertTrue(r.getHeader("Content-Type").startsWith("application/yaml"), r.getHeader("Content-Type"));
        doc = WireSchemaTest.Json.yaml(r.bodyAsString());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** "METHOD /path/{param}" for every operation in the document. */
    private static Set<String> documentedOperations() {
        Set<String> ops = new TreeSet<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String m : paths.getJsonObject(path).fieldNames()) {
                if (METHODS.contains(m)) ops.add(m.toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        return ops;
    }

    @Test
    void everyRouteOfTheRouterIsDocumented() {
        List<Route> routes = server.api.routes();
        assertFalse(routes.isEmpty(), "the API has not started");
        Set<String> served = new TreeSet<>();
        for (Route route : routes) {
            // Handlers for every method (filters such as authentication, or a body handler) are
            // not operations; a route of its own has a path and its methods.
            if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) continue;
            String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
            for (HttpMethod m : route.methods()) served.add(m.name() + " " + path);
        }
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documentedOperations());
        assertTrue(undocumented.isEmpty(), "routes missing from adapters/http/src/main/resources/dev/kiln/http/openapi.yaml: " + undocumented);
        assertTrue(served.containsAll(Set.of("POST /v1/jobs", "GET /v1/jobs/{id}/events", "GET /openapi.yaml", "GET /")), served.toString());
    }

    @Test
    void everyDocumentedOperationAnswersWithADocumentedStatus() {
        String jobId = TestServer.json(server.post("/v1/jobs?wait=60000", TestServer.POISSON_32)).getString("id");
        // A family with learned ω, so /v1/tuning/{family} has something to show.
        HttpResponse<Buffer> tuned = server.post("/v1/jobs?wait=60000",
                "{\"kind\":\"linear\",\"family\":\"openapi-test\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":8}},"
                        + "\"options\":{\"method\":\"sor\",\"omega\":\"auto\"}}");
        assertEquals(200, tuned.statusCode(), tuned.bodyAsString());
        Map<String, String> params = Map.of("id", jobId, "family", "openapi-test");

        List<String> problems = new ArrayList<>();
        List<String> ops = new ArrayList<>(documentedOperations());
        // DELETEs last: they change what the GETs would see.
        ops.sort((a, b) -> Boolean.compare(a.startsWith("DELETE"), b.startsWith("DELETE")));
        for (String op : ops) {
            String method = op.substring(0, op.indexOf(' '));
            String path = op.substring(op.indexOf(' ') + 1);
            String uri = path;
            for (Map.Entry<String, String> p : params.entrySet()) uri = uri.replace("{" + p.getKey() + "}", p.getValue());
            if (path.equals("/v1/backends/{id}/model")) uri = "/v1/backends/cpu/model";
            HttpResponse<Buffer> r = call(HttpMethod.valueOf(method), uri, path);
            String where = op + " (" + uri + ") answered " + r.statusCode() + ": " + abbreviate(r.bodyAsString());
            if (r.statusCode() == 405 || r.statusCode() == 404 && String.valueOf(r.bodyAsString()).contains("\"no route ")) {
                problems.add("not served: " + where);
                continue;
            }
            JsonObject responses = doc.getJsonObject("paths").getJsonObject(path).getJsonObject(method.toLowerCase(Locale.ROOT)).getJsonObject("responses");
            if (!responses.containsKey(String.valueOf(r.statusCode())) && !responses.containsKey("default")) {
                problems.add("undocumented status: " + where + " (documented: " + responses.fieldNames() + ")");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theDocumentIsValidOpenApi31AndItsSchemaReferencesResolve() {
        // Without their URN $id, so the resolver files them under the URL they were fetched from.
        JsonObject job = server.send(HttpMethod.GET, "/v1/schema/job.json").bodyAsJsonObject();
        JsonObject result = server.send(HttpMethod.GET, "/v1/schema/result.json").bodyAsJsonObject();
        job.remove("$id");
        result.remove("$id");
        // A client resolves the document's relative references against the URL it fetched it
        // from (RFC 3986 §5); the resolver below takes only absolute ones and never downloads,
        // so the test resolves them and hands over what the server serves there.
        String base = "http://127.0.0.1:" + server.port();
        JsonObject resolved = absoluteRefs(doc.copy(), base);
        assertEquals("3.1.0", doc.getString("openapi"));
        // vertx-openapi's own steps, short of building its request validator (which refuses
        // media types it cannot validate, such as text/event-stream): the OpenAPI 3.1
        // meta-schema, then dereferencing every $ref.
        OpenAPIVersion version = OpenAPIVersion.fromContract(resolved);
        assertEquals(OpenAPIVersion.V3_1, version);
        SchemaRepository repository = await(version.getRepository(server.vertx, "app://"));
        for (Map.Entry<String, JsonObject> part : Map.of(base + "/v1/schema/job.json", job, base + "/v1/schema/result.json", result).entrySet()) {
            repository.dereference(part.getKey(), JsonSchema.of(part.getKey(), part.getValue()));
        }
        OutputUnit valid = await(version.validateContract(server.vertx, repository, resolved));
        assertTrue(valid.getValid(), "not valid OpenAPI 3.1: " + valid.toJson().encodePrettily());
        JsonObject dereferenced = await(version.resolve(server.vertx, repository, resolved));
        JsonObject submitSchema = dereferenced.getJsonObject("paths").getJsonObject("/v1/jobs").getJsonObject("post")
                .getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
        assertTrue(submitSchema.getJsonObject("properties").containsKey("kind"), "the job schema was not resolved: " + submitSchema.fieldNames());
    }

    @Test
    void theOperationsDocumentedAsOpenAreExactlyThoseThatAnswerWithoutAKey() {
        try (TestServer keyed = new TestServer(Map.of(dev.kiln.runtime.config.KilnConfig.HTTP_API_KEYS.name(), "openapi-test-key-5c1d2e3f"))) {
            List<String> problems = new ArrayList<>();
            JsonObject paths = doc.getJsonObject("paths");
            for (String op : documentedOperations()) {
                String method = op.substring(0, op.indexOf(' '));
                String path = op.substring(op.indexOf(' ') + 1);
                JsonObject operation = paths.getJsonObject(path).getJsonObject(method.toLowerCase(Locale.ROOT));
                boolean open = operation.containsKey("security") && operation.getJsonArray("security").isEmpty();
                String uri = path.replace("{id}", "some-id").replace("{family}", "some-family");
                int status = keyed.send(HttpMethod.valueOf(method), uri).statusCode();
                if (open == (status == 401)) problems.add(op + (open ? " is documented open but answered 401" : " needs a key but answered " + status));
            }
            assertTrue(problems.isEmpty(), String.join("\n", problems));
        }
    }

    @Test
    void theSchemasAreServedAsJsonSchemaDocuments() {
        for (String uri : List.of("/v1/schema/job.json", "/v1/schema/result.json")) {
            HttpResponse<Buffer> r = server.send(HttpMethod.GET, uri);
            assertEquals(200, r.statusCode(), uri);
            assertEquals(ApiDescriptionRoutes.SCHEMA_JSON, r.getHeader("Content-Type"), uri);
            assertEquals("https://json-schema.org/draft/2020-12/schema", r.bodyAsJsonObject().getString("$schema"), uri);
        }
    }

    @Test
    void anUnknownRouteNamesTheDescriptionWhereTheRoutesAre() {
        HttpResponse<Buffer> r = server.send(HttpMethod.GET, "/v1/nothing-here");
        assertEquals(404, r.statusCode());
        assertTrue(r.bodyAsJsonObject().getJsonObject("error").getString("message").contains("/openapi.yaml"), r.bodyAsString());
    }

    private static HttpResponse<Buffer> call(HttpMethod method, String uri, String documentedPath) {
        if (method == HttpMethod.PUT && documentedPath.equals("/v1/matrices")) {
            return await(server.client.request(method, uri).putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer(MATRIX)));
        }
        if (method == HttpMethod.POST) return server.send(method, uri, requestExamples().get(0));
        return server.send(method, uri);
    }

    /** The request examples of {@code POST /v1/jobs}, as JSON text (the schema test checks them too). */
    static List<String> requestExamples() {
        JsonObject d = WireSchemaTest.Json.yaml(ApiDescriptionRoutes.resource(ApiDescriptionRoutes.class, "openapi.yaml").toString());
        JsonObject examples = d.getJsonObject("paths").getJsonObject("/v1/jobs").getJsonObject("post").getJsonObject("requestBody")
                .getJsonObject("content").getJsonObject("application/json").getJsonObject("examples");
        List<String> out = new ArrayList<>();
        for (String name : examples.fieldNames()) out.add(examples.getJsonObject(name).getJsonObject("value").encode());
        return out;
    }

    /** Rewrites every {@code $ref} that starts with {@code /} to {@code base + ref}, in place. */
    private static JsonObject absoluteRefs(JsonObject o, String base) {
        for (String key : o.fieldNames()) {
            Object v = o.getValue(key);
            if (key.equals("$ref") && v instanceof String ref && ref.startsWith("/")) o.put(key, base + ref);
            else if (v instanceof JsonObject child) absoluteRefs(child, base);
            else if (v instanceof io.vertx.core.json.JsonArray a) {
                for (Object item : a) if (item instanceof JsonObject child) absoluteRefs(child, base);
            }
        }
        return o;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
