package dev.kiln.runtime.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

import static dev.kiln.runtime.wire.JsonFields.clip;
import static dev.kiln.runtime.wire.JsonFields.doubles;
import static dev.kiln.runtime.wire.JsonFields.invalid;
import static dev.kiln.runtime.wire.JsonFields.optionalLong;
import static dev.kiln.runtime.wire.JsonFields.optionalString;
import static dev.kiln.runtime.wire.JsonFields.options;
import static dev.kiln.runtime.wire.JsonFields.rejectUnknown;

/**
 * Reads wire-format v1 job documents into validated {@link Job}s. This is the public edge:
 * every check happens here, once, with an error naming the field; nothing downstream
 * re-validates. Unknown fields are rejected (a misspelt option silently ignored is worse
 * than an error, as PETSc's unused-option warnings show).
 *
 * <p>Thread-safe and stateless apart from the matrix store; CPU cost grows with the
 * document, so adapters call it off the event loop.
 */
public final class JobDecoder {
    private static final Set<String> JOB_FIELDS = Set.of("id", "kind", "family", "context", "problem", "options");
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_CONTEXT = 256;

    private final WireLimits limits;
    private final MatrixStore matrices;
    private final ObjectMapper mapper;
    private final Map<JobKind, KindReader> readers = new EnumMap<>(JobKind.class);

    public JobDecoder(WireLimits limits, MatrixStore matrices) {
        this.limits = limits;
        this.matrices = matrices;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength(limits.maxMessageBytes())
                        .maxNumberLength(400)
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();
        readers.put(JobKind.LINEAR, new LinearJobReader(limits, matrices));
        readers.put(JobKind.QUBO, new QuboJobReader(limits));
        readers.put(JobKind.TRAIN, new TrainJobReader(limits));
    }

    public WireLimits limits() { return limits; }

    /** Decodes one job document. */
    public Job decode(byte[] bytes) throws JobRejectedException {
        if (bytes == null || bytes.length == 0) {
            throw new JobRejectedException(ErrorCode.UNPARSEABLE, "", "empty message: expected a JSON job object");
        }
        if (bytes.length > limits.maxMessageBytes()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "",
                    "message of " + bytes.length + " bytes exceeds the limit of " + limits.maxMessageBytes());
        }
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw new JobRejectedException(ErrorCode.UNPARSEABLE, "", "JSON exceeds a structural limit: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new JobRejectedException(ErrorCode.UNPARSEABLE, "", "not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new JobRejectedException(ErrorCode.UNPARSEABLE, "",
                    "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return decode((ObjectNode) root);
    }

    /** Decodes a job from a parsed JSON object. */
    public Job decode(ObjectNode root) throws JobRejectedException {
        String id = null;
        String documentId = null; // a rejection carries only an id the client sent; adapters fall back to theirs
        JobKind kind = null;
        try {
            id = readId(root);
            if (root.hasNonNull("id")) documentId = id;
            kind = readKind(root);
            rejectUnknown(root, JOB_FIELDS, "", ErrorCode.INVALID_OPTIONS);
            String family = optionalString(root, "family", "family", 256);
            double[] context = readContext(root);
            JsonNode problemNode = root.get("problem");
            if (problemNode == null || problemNode.isNull()) throw invalid("problem", "is required");
            if (!problemNode.isObject()) throw invalid("problem", "must be an object");
            JsonNode optionsNode = root.get("options");
            if (optionsNode != null && !optionsNode.isNull() && !optionsNode.isObject()) throw options("options", "must be an object");
            ObjectNode opts = optionsNode == null || optionsNode.isNull() ? mapper.createObjectNode() : (ObjectNode) optionsNode;
            KindReader reader = readers.get(kind);
            if (reader == null) {
                throw new JobRejectedException(ErrorCode.UNSUPPORTED, "kind",
                        "'" + kind.wireName() + "' jobs are part of the wire format but no backend in this build runs them yet");
            }
            String backend = optionalString(opts, "backend", "options.backend", 64);
            Objective objective = Objective.LATENCY;
            String obj = optionalString(opts, "objective", "options.objective", 32);
            if (obj != null) {
                objective = switch (obj) {
                    case "latency" -> Objective.LATENCY;
                    case "energy" -> Objective.ENERGY;
                    default -> throw options("options.objective", "unknown objective '" + clip(obj) + "' (latency | energy)");
                };
            }
            long deadlineMs = optionalLong(opts, "deadlineMs", "options.deadlineMs", 0, 7L * 24 * 3600 * 1000, 0);
            long seed = optionalLong(opts, "seed", "options.seed", Long.MIN_VALUE, Long.MAX_VALUE, 1);
            KindReader.Decoded d = reader.read((ObjectNode) problemNode, opts, seed);
            JobOptions options = new JobOptions(backend == null ? JobOptions.AUTO : backend, objective, deadlineMs, seed, d.options());
            return new Job(id, kind, family, context, d.problem(), options);
        } catch (JobRejectedException e) {
            throw e.jobId() == null ? e.withJob(documentId, kind) : e;
        } catch (InvalidProblemException e) {
            ErrorCode code = e.code() == InvalidProblemException.Code.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_PROBLEM;
            String m = e.getMessage();
            String f = e.field();
            throw new JobRejectedException(code, f, f != null && !f.isEmpty() && m.startsWith(f + ": ") ? m.substring(f.length() + 2) : m, documentId, kind);
        }
    }

    private String readId(ObjectNode root) throws JobRejectedException {
        JsonNode n = root.get("id");
        if (n == null || n.isNull()) return UUID.randomUUID().toString();
        if (!n.isTextual()) throw options("id", "must be a string");
        String s = n.textValue();
        if (s.isEmpty() || s.length() > MAX_ID_LENGTH) throw options("id", "must have 1 to " + MAX_ID_LENGTH + " characters");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                throw options("id", "contains a control or invalid character at position " + i);
            }
        }
        return s;
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private JobKind readKind(ObjectNode root) throws JobRejectedException {
        JsonNode n = root.get("kind");
        if (n == null || n.isNull()) throw options("kind", "is required (linear | qubo | train)");
        if (!n.isTextual()) throw options("kind", "must be a string (linear | qubo | train)");
        JobKind k = JobKind.fromWire(n.textValue());
        if (k == null) throw options("kind", "unknown kind '" + clip(n.textValue()) + "' (linear | qubo | train)");
        return k;
    }

    private double[] readContext(ObjectNode root) throws JobRejectedException {
        JsonNode n = root.get("context");
        if (n == null || n.isNull()) return new double[0];
        if (!n.isArray()) throw options("context", "must be an array of numbers");
        if (n.size() > MAX_CONTEXT) throw options("context", "has " + n.size() + " entries; at most " + MAX_CONTEXT);
        return doubles((ArrayNode) n, "context", ErrorCode.INVALID_OPTIONS);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }

    /** For callers that hold the JSON as text. */
    public Job decode(String json) throws JobRejectedException {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The shared mapper (configured with the same limits) for adapters that parse other documents. */
    public ObjectMapper mapper() { return mapper; }
}
