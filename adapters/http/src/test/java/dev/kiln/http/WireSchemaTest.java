package dev.kiln.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.runtime.wire.JobDecoder;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.spi.ProgressEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The JSON Schemas served at {@code /v1/schema/job.json} and {@code /v1/schema/result.json}
 * against the real decoder and the real results, with a draft 2020-12 validator
 * (vertx-json-schema). The decoder is what both adapters validate with; these tests pin that
 * the schema describes what it accepts: every valid document passes both, every malformed
 * shape fails both, and the documents only the decoder can refuse (arithmetic across fields)
 * pass the schema and fail the decoder, so that boundary is written down here and nowhere
 * implicit.
 */
class WireSchemaTest {
    private static TestServer server;
    private static Validator jobSchema;
    private static Validator resultSchema;
    private static Validator progressSchema;
    private static JsonObject resultSchemaJson;
    private static String matrixRef;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of());
        // Served, not read from the classpath: the test checks what clients get.
        JsonObject job = server.send(HttpMethod.GET, "/v1/schema/job.json").bodyAsJsonObject();
        resultSchemaJson = server.send(HttpMethod.GET, "/v1/schema/result.json").bodyAsJsonObject();
        jobSchema = validator(job);
        resultSchema = validator(resultSchemaJson);
        JsonObject progress = resultSchemaJson.getJsonObject("$defs").getJsonObject("progress").copy()
                .put("$schema", "https://json-schema.org/draft/2020-12/schema");
        progressSchema = validator(progress);
        matrixRef = server.runtime.matrices().put(PoissonGenerator.poisson2d(3, 3, 0, null));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Validator validator(JsonObject schema) {
        return Validator.create(JsonSchema.of(schema),
                new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app://kiln/").setOutputFormat(OutputFormat.Basic));
    }

    private static OutputUnit validate(Validator v, String json) {
        return v.validate(Json.parse(json));
    }

    private static String decoderVerdict(String json) {
        try {
            server.runtime.decoder().decode(json);
            return null;
        } catch (JobRejectedException e) {
            return e.code() + " " + e.getMessage();
        }
    }

    /** Documents both must accept: one per shape the decoder reads, every kind, every option. */
    static List<String> validJobs() {
        List<String> docs = new ArrayList<>(List.of(
                TestServer.POISSON_32,
                """
                {"id":"all-common","kind":"linear","family":"f","context":[0.25,1],"problem":{"matrix":{"generator":"poisson2d","nx":4,"ny":5,"shift":0.5}},
                 "options":{"backend":"cpu","objective":"energy","deadlineMs":60000,"seed":-7}}""",
                """
                {"id":null,"family":null,"context":null,"options":null,"kind":"linear","problem":{"matrix":{"generator":"poisson3d","nx":3,"nz":2,"shift":null},"rhs":null,"x0":null}}""",
                """
                {"kind":"linear","problem":{"matrix":{"format":"csr","rows":2,"cols":2,"rowPtr":[0,2,3],"colIdx":[0,1,1],"values":[4,-1,3]},"rhs":[1,2],"x0":[0,0]},
                 "options":{"method":"bicgstab","preconditioner":"jacobi","tolerance":1e-6,"maxIterations":50,"precision":"fp64","returnSolution":true}}""",
                """
                {"kind":"linear","problem":{"matrix":{"format":"coo","rows":2,"cols":2,"row":[0,1,0],"col":[0,1,0],"values":[1,2,3]},"rhs":{"generator":"random","seed":3}},
                 "options":{"method":"sor","omega":"auto"}}""",
                """
                {"kind":"linear","problem":{"matrix":{"format":"matrix-market","text":"%%MatrixMarket matrix coordinate real general\\n2 2 2\\n1 1 2.0\\n2 2 3.0\\n"},
                 "rhs":{"generator":"ones"}},"options":{"method":"ssor","omega":1.5,"precision":"fp32"}}""",
                """
                {"kind":"linear","problem":{"matrix":{"ref":"REF"}},"options":{"method":"pcg","preconditioner":"ssor","omega":null,"returnSolution":null}}""".replace("REF", matrixRef),
                """
                {"kind":"qubo","problem":{"qubo":{"n":3,"terms":[[0,0,-1],[0,1,2],[2,2,-0.5]]}},
                 "options":{"timeLimitMs":100,"sweeps":10,"replicas":2,"target":-1.5,"timesteps":100,"schedule":"geometric",
                            "maxTemperature":10,"minTemperature":0.1,"stepsPerTemperature":5,"refractScaling":2,"seed":9}}""",
                """
                {"kind":"qubo","problem":{"maxcut":{"n":4,"edges":[[0,1],[1,2,2.5],[2,3],[3,0]]},"qubo":null},"options":{"schedule":"linear"}}""",
                """
                {"kind":"train","problem":{"model":{"type":"logistic"},"dataset":{"name":"digits"},"loss":"cross-entropy"},"options":{"optimizer":"adam","epochs":1}}""",
                """
                {"kind":"train","problem":{"model":{"type":"mlp","hidden":[8],"activation":"relu"},
                 "dataset":{"name":"breast-cancer","testFraction":0.3,"seed":4,"standardize":false},"loss":"mse"},
                 "options":{"optimizer":"tngd-adam","epochs":2,"batchSize":32,"learningRate":0.01,"momentum":0.9,"beta1":0.9,"beta2":0.999,
                            "epsilon":1e-8,"damping":0.1,"cgTolerance":1e-4,"cgMaxIterations":20,"analogTime":5,"delay":0,"noise":0.001,
                            "bits":12,"warmStart":false,"returnWeights":true}}""",
                """
                {"kind":"train","problem":{"model":{"type":"logistic","hidden":null,"activation":null},
                 "dataset":{"name":null,"features":[[0,1],[1,0],[1,1],[0,0]],"labels":[0,1,2,0],"classes":3,"testFraction":0.5},"loss":null},
                 "options":{"optimizer":"sgd"}}"""));
        docs.addAll(readmeJobs());
        docs.addAll(OpenApiTest.requestExamples());
        return docs;
    }

    /** Malformed shapes: the schema and the decoder must both refuse each. */
    static final List<String> MALFORMED = List.of(
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"extra\":1}",
            "{\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"kind\":\"cubic\",\"problem\":{}}",
            "{\"kind\":\"linear\"}",
            "{\"kind\":\"linear\",\"problem\":[]}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":[]}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"sweeps\":3}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"method\":\"lu\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"omega\":2.5}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"omega\":\"fast\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"tolerance\":0}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"tolerance\":1}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"maxIterations\":0}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"precision\":\"fp16\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"returnSolution\":\"yes\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"preconditioner\":\"amg\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"rhs\":[1]}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"ref\":\"abc\",\"generator\":\"poisson2d\"}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"ref\":7}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"csr\",\"rows\":1,\"cols\":1,\"rowPtr\":[0,1],\"colIdx\":[0]}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"csr\",\"rows\":1,\"cols\":1,\"rowPtr\":[0,1],\"colIdx\":[0],\"values\":[1],\"nnz\":1}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"csr\",\"rows\":1,\"cols\":1,\"rowPtr\":[0,1],\"colIdx\":[0.5],\"values\":[1]}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"dense\",\"rows\":1,\"cols\":1}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"matrix-market\"}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4,\"nz\":2}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"laplace\",\"nx\":4}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":0}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":-3}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":\"10\"}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4,\"ny\":null}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4,\"shift\":-1}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},\"rhs\":{\"generator\":\"zeros\"}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},\"rhs\":{\"generator\":\"random\",\"seed\":null}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},\"rhs\":\"ones\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},\"x0\":{}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},\"b\":[1]}}",
            "{\"id\":\"\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"id\":\"" + "x".repeat(257) + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"id\":\"a\\nb\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"id\":7,\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"family\":\"" + "f".repeat(257) + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"context\":\"0.5\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"context\":[0.5,\"x\"],\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"context\":[" + "1,".repeat(256) + "1],\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"deadlineMs\":-1}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"deadlineMs\":604800001}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"seed\":1.5}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"objective\":\"speed\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"backend\":\"" + "b".repeat(65) + "\"}}",
            "{\"kind\":\"linear\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[]},\"maxcut\":{\"n\":2,\"edges\":[]}}}",
            "{\"kind\":\"qubo\",\"problem\":{}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":null,\"maxcut\":null}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[[0,1]]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[[-1,1,2]]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[[0,1,\"w\"]]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":0,\"terms\":[]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[],\"offset\":1}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[[0,1,1,1]]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[0,1]}}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[]}},\"options\":{\"method\":\"cg\"}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[]}},\"options\":{\"schedule\":\"cosine\"}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[]}},\"options\":{\"refractScaling\":9}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[]}},\"options\":{\"sweeps\":0}}",
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":3,\"edges\":[]}},\"options\":{\"maxTemperature\":-1}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"cnn\"},\"dataset\":{\"name\":\"digits\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"dataset\":{\"name\":\"digits\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\",\"layers\":2},\"dataset\":{\"name\":\"digits\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"mlp\",\"hidden\":[8],\"activation\":\"sigmoid\"},\"dataset\":{\"name\":\"digits\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"},\"loss\":\"hinge\"}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\",\"features\":[[1],[2]],\"labels\":[0,1]}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"seed\":1}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"mnist\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\",\"path\":\"/tmp\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"fashion-mnist\",\"testFraction\":0.2}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[1]],\"labels\":[0]}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[1],[2]],\"labels\":[0,1],\"classes\":1}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[1],[2]]}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\",\"testFraction\":1}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\",\"standardize\":\"no\"}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"optimizer\":\"lbfgs\"}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"epochs\":0}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"learningRate\":0}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"noise\":2}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"bits\":1}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"tolerance\":1e-6}}");

    /**
     * Shape-valid documents that only the decoder can refuse: each needs arithmetic across
     * fields, which JSON Schema cannot express. The schema's description names these checks.
     */
    static final List<String> DECODER_ONLY = List.of(
            // CSR structure: rowPtr has rows + 1 entries
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1],\"colIdx\":[0],\"values\":[1]}}}",
            // a column index outside the matrix
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"coo\",\"rows\":2,\"cols\":2,\"row\":[0],\"col\":[5],\"values\":[1]}}}",
            // square
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"coo\",\"rows\":2,\"cols\":3,\"row\":[0],\"col\":[0],\"values\":[1]}}}",
            // rhs length equal to the rows
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":2},\"rhs\":[1,2,3]}}",
            // a ref that was never uploaded
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"ref\":\"no-such-ref\"}}}",
            // QUBO indices below n
            "{\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":2,\"terms\":[[0,2,1]]}}}",
            // minTemperature ≤ maxTemperature
            "{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":2,\"edges\":[[0,1]]}},\"options\":{\"maxTemperature\":1,\"minTemperature\":2}}",
            // inline rows of one width, one label per row
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[1,2],[3]],\"labels\":[0,1]}}}",
            "{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"features\":[[1],[2]],\"labels\":[0,1,1]}}}",
            // the server's size limit (kiln.limits.max-unknowns), configuration rather than format
            "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":100000}}}");

    @Test
    void everyValidJobPassesTheSchemaAndTheDecoder() {
        List<String> docs = validJobs();
        assertTrue(docs.size() >= 15, "corpus too small: " + docs.size());
        for (String doc : docs) {
            OutputUnit out = validate(jobSchema, doc);
            assertTrue(out.getValid(), "schema refused a job the decoder must accept:\n" + doc + "\n" + out.toJson().encodePrettily());
            String verdict = decoderVerdict(doc);
            assertEquals(null, verdict, "decoder refused a job the schema accepts:\n" + doc);
        }
    }

    @Test
    void everyMalformedShapeFailsTheSchemaAndTheDecoder() {
        List<String> disagreements = new ArrayList<>();
        for (String doc : MALFORMED) {
            boolean schemaValid = validate(jobSchema, doc).getValid();
            String verdict = decoderVerdict(doc);
            if (schemaValid) disagreements.add("schema accepts, decoder says " + verdict + ":\n  " + doc);
            if (verdict == null) disagreements.add("decoder accepts, schema refuses:\n  " + doc);
        }
        assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
    }

    @Test
    void checksAcrossFieldsAreTheDecodersAloneAndDocumentedAsSuch() {
        for (String doc : DECODER_ONLY) {
            OutputUnit out = validate(jobSchema, doc);
            assertTrue(out.getValid(), "the schema was expected to accept this shape:\n" + doc + "\n" + out.toJson().encodePrettily());
            assertFalse(decoderVerdict(doc) == null, "the decoder must refuse:\n" + doc);
        }
    }

    @Test
    void resultsOfEveryKindAndStatusMatchTheResultSchema() {
        List<String> results = new ArrayList<>();
        // succeeded linear with the solution, qubo and train answers
        results.add(post("""
                {"kind":"linear","problem":{"matrix":{"generator":"poisson2d","nx":8},"rhs":{"generator":"a-times-ones"}},
                 "options":{"tolerance":1e-8,"returnSolution":true}}""", 200));
        results.add(post("""
                {"kind":"linear","family":"schema-ssor","problem":{"matrix":{"generator":"poisson2d","nx":8}},"options":{"method":"ssor","omega":"auto"}}""", 200));
        results.add(post("{\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":4,\"edges\":[[0,1],[1,2],[2,3],[3,0]]}},\"options\":{\"timeLimitMs\":50}}", 200));
        results.add(post("{\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"logistic\"},\"dataset\":{\"name\":\"digits\"}},\"options\":{\"epochs\":1}}", 200));
        // failed (iteration budget), rejected (bad option), unparseable
        results.add(post("{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":16}},\"options\":{\"method\":\"cg\",\"maxIterations\":1}}", 200));
        results.add(post("{\"id\":\"schema-rejected\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"omega\":3}}", 400));
        Set<String> statuses = new TreeSet<>();
        Set<String> documented = resultSchemaJson.getJsonObject("properties").fieldNames();
        for (String r : results) {
            OutputUnit out = validate(resultSchema, r);
            assertTrue(out.getValid(), "result does not match the schema:\n" + r + "\n" + out.toJson().encodePrettily());
            JsonObject o = new JsonObject(r);
            statuses.add(o.getString("status"));
            for (String field : o.fieldNames()) assertTrue(documented.contains(field), "result field '" + field + "' is not in result.json: " + r);
        }
        assertEquals(Set.of("succeeded", "failed", "rejected"), statuses);
    }

    @Test
    void progressEventsMatchTheProgressDefinition() {
        String event = new String(new ResultEncoder().encode(new ProgressEvent("j", "cpu", 12, 3.5e-4, 7)));
        assertTrue(validate(progressSchema, event).getValid(), event);
        assertFalse(validate(progressSchema, "{\"id\":\"j\",\"iteration\":-1,\"elapsedMs\":0}").getValid());
    }

    @Test
    void theSchemaRefusesWhatItShouldWhichProvesTheValidatorReadsIt() {
        // Guards the other tests against a validator that accepts everything (e.g. an unknown draft).
        assertFalse(validate(jobSchema, "{}").getValid());
        assertFalse(validate(resultSchema, "{\"id\":\"x\",\"status\":\"done\",\"timing\":{\"queuedMs\":0,\"solveMs\":0,\"totalMs\":0}}").getValid());
    }

    private static String post(String job, int expectedStatus) {
        HttpResponse<Buffer> r = server.post("/v1/jobs?wait=60000", job);
        assertEquals(expectedStatus, r.statusCode(), r.bodyAsString());
        return r.bodyAsString();
    }

    /** The job documents of the README ({@code cat > job.json <<'JSON' ... JSON}). */
    static List<String> readmeJobs() {
        Path readme = Path.of("../../README.md");
        if (!Files.exists(readme)) fail("README.md not found from " + Path.of("").toAbsolutePath());
        try {
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("<<'JSON'\\n(.*?)\\nJSON\\n", Pattern.DOTALL).matcher(Files.readString(readme));
            while (m.find()) out.add(m.group(1));
            assertFalse(out.isEmpty(), "the README's job example was not found");
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Parses JSON text into what the Vert.x validator takes (JsonObject, JsonArray, or a scalar). */
    static final class Json {
        private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

        static Object parse(String json) {
            return io.vertx.core.json.Json.decodeValue(json);
        }

        /** YAML to the same Vert.x types (for the OpenAPI document). */
        static JsonObject yaml(String yaml) {
            try {
                return new JsonObject(new ObjectMapper().writeValueAsString(YAML.readTree(yaml)));
            } catch (IOException e) {
                throw new AssertionError("not YAML: " + e.getMessage(), e);
            }
        }
    }
}
