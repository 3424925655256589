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
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

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
    private static final Set<String> LINEAR_PROBLEM_FIELDS = Set.of("matrix", "rhs", "x0");
    private static final Set<String> COMMON_OPTIONS = Set.of("backend", "objective", "deadlineMs", "seed");
    private static final Set<String> LINEAR_OPTIONS = Set.of("method", "preconditioner", "omega", "tolerance",
            "maxIterations", "precision", "returnSolution");
    private static final Set<String> PRECONDITIONERS = Set.of("auto", "none", "jacobi");
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_CONTEXT = 256;

    private final WireLimits limits;
    private final MatrixStore matrices;
    private final ObjectMapper mapper;

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
        JobKind kind = null;
        try {
            id = readId(root);
            kind = readKind(root);
            rejectUnknown(root, JOB_FIELDS, "");
            String family = optionalString(root, "family", 256);
            double[] context = readContext(root);
            JsonNode problemNode = root.get("problem");
            if (problemNode == null || problemNode.isNull()) throw invalid("problem", "is required");
            if (!problemNode.isObject()) throw invalid("problem", "must be an object");
            JsonNode optionsNode = root.get("options");
            if (optionsNode != null && !optionsNode.isObject()) throw options("options", "must be an object");
            ObjectNode opts = optionsNode == null ? mapper.createObjectNode() : (ObjectNode) optionsNode;
            if (kind != JobKind.LINEAR) {
                throw new JobRejectedException(ErrorCode.UNSUPPORTED, "kind",
                        "'" + kind.wireName() + "' jobs are part of the wire format but no backend in this build runs them yet");
            }
            LinearProblem problem = readLinearProblem((ObjectNode) problemNode, opts);
            JobOptions options = readOptions(opts, kind);
            return new Job(id, kind, family, context, problem, options);
        } catch (JobRejectedException e) {
            throw e.jobId() == null ? e.withJob(id, kind) : e;
        } catch (InvalidProblemException e) {
            ErrorCode code = e.code() == InvalidProblemException.Code.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_PROBLEM;
            throw new JobRejectedException(code, e.field(), messageWithoutField(e), id, kind);
        }
    }

    private static String messageWithoutField(InvalidProblemException e) {
        String m = e.getMessage();
        String f = e.field();
        return f != null && !f.isEmpty() && m.startsWith(f + ": ") ? m.substring(f.length() + 2) : m;
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

    private LinearProblem readLinearProblem(ObjectNode p, ObjectNode opts) throws JobRejectedException {
        rejectUnknown(p, LINEAR_PROBLEM_FIELDS, "problem.");
        JsonNode m = p.get("matrix");
        if (m == null || m.isNull()) throw invalid("problem.matrix", "is required");
        if (!m.isObject()) throw invalid("problem.matrix", "must be an object");
        CsrMatrix a = readMatrix((ObjectNode) m);
        if (!a.isSquare()) throw invalid("problem.matrix", "must be square, was " + a.rows() + "x" + a.cols());
        double[] b = readRhs(p.get("rhs"), a, opts);
        double[] x0 = null;
        JsonNode x0n = p.get("x0");
        if (x0n != null && !x0n.isNull()) {
            if (!x0n.isArray()) throw invalid("problem.x0", "must be an array of numbers");
            x0 = doubles((ArrayNode) x0n, "problem.x0", ErrorCode.INVALID_PROBLEM);
        }
        return LinearProblem.of(a, b, x0);
    }

    private CsrMatrix readMatrix(ObjectNode m) throws JobRejectedException {
        if (m.has("ref")) {
            rejectUnknown(m, Set.of("ref"), "problem.matrix.");
            JsonNode r = m.get("ref");
            if (!r.isTextual()) throw invalid("problem.matrix.ref", "must be a string");
            return matrices.get(r.textValue()).orElseThrow(() -> invalid("problem.matrix.ref",
                    "no uploaded matrix has ref '" + clip(r.textValue()) + "' (PUT /v1/matrices returns refs)"));
        }
        if (m.has("generator")) return generate(m);
        JsonNode f = m.get("format");
        if (f == null) throw invalid("problem.matrix", "needs one of 'format', 'ref' or 'generator'");
        if (!f.isTextual()) throw invalid("problem.matrix.format", "must be a string (csr | coo | matrix-market)");
        return switch (f.textValue()) {
            case "csr" -> {
                rejectUnknown(m, Set.of("format", "rows", "cols", "rowPtr", "colIdx", "values"), "problem.matrix.");
                int rows = dimension(m, "rows");
                int cols = dimension(m, "cols");
                int[] rowPtr = ints(array(m, "rowPtr"), "problem.matrix.rowPtr");
                int[] colIdx = ints(array(m, "colIdx"), "problem.matrix.colIdx");
                double[] values = doubles(array(m, "values"), "problem.matrix.values", ErrorCode.INVALID_PROBLEM);
                checkNnz(values.length);
                try {
                    yield CsrMatrix.of(rows, cols, rowPtr, colIdx, values);
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix");
                }
            }
            case "coo" -> {
                rejectUnknown(m, Set.of("format", "rows", "cols", "row", "col", "values"), "problem.matrix.");
                int rows = dimension(m, "rows");
                int cols = dimension(m, "cols");
                int[] row = ints(array(m, "row"), "problem.matrix.row");
                int[] col = ints(array(m, "col"), "problem.matrix.col");
                double[] values = doubles(array(m, "values"), "problem.matrix.values", ErrorCode.INVALID_PROBLEM);
                checkNnz(values.length);
                try {
                    yield CooAssembler.fromCoo(rows, cols, row, col, values);
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix");
                }
            }
            case "matrix-market" -> {
                rejectUnknown(m, Set.of("format", "text"), "problem.matrix.");
                JsonNode t = m.get("text");
                if (t == null || !t.isTextual()) throw invalid("problem.matrix.text", "must be the Matrix Market file as a string");
                try {
                    yield MatrixMarketReader.parse(t.textValue(), new MatrixMarketReader.Limits(limits.maxNonZeros(), limits.maxUnknowns()));
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix.text");
                }
            }
            default -> throw invalid("problem.matrix.format", "unknown format '" + clip(f.textValue()) + "' (csr | coo | matrix-market)");
        };
    }

    private CsrMatrix generate(ObjectNode m) throws JobRejectedException {
        JsonNode g = m.get("generator");
        if (!g.isTextual()) throw invalid("problem.matrix.generator", "must be a string (poisson2d | poisson3d)");
        switch (g.textValue()) {
            case "poisson2d" -> {
                rejectUnknown(m, Set.of("generator", "nx", "ny", "shift"), "problem.matrix.");
                int nx = dimension(m, "nx");
                int ny = m.has("ny") ? dimension(m, "ny") : nx;
                checkUnknowns((long) nx * ny);
                return PoissonGenerator.poisson2d(nx, ny, shift(m), null);
            }
            case "poisson3d" -> {
                rejectUnknown(m, Set.of("generator", "nx", "ny", "nz", "shift"), "problem.matrix.");
                int nx = dimension(m, "nx");
                int ny = m.has("ny") ? dimension(m, "ny") : nx;
                int nz = m.has("nz") ? dimension(m, "nz") : nx;
                checkUnknowns((long) nx * ny * nz);
                return PoissonGenerator.poisson3d(nx, ny, nz, shift(m), null);
            }
            default -> throw invalid("problem.matrix.generator",
                    "unknown generator '" + clip(g.textValue()) + "' (poisson2d | poisson3d)");
        }
    }

    private double shift(ObjectNode m) throws JobRejectedException {
        JsonNode s = m.get("shift");
        if (s == null || s.isNull()) return 0;
        if (!s.isNumber() || !Double.isFinite(s.doubleValue()) || s.doubleValue() < 0) {
            throw invalid("problem.matrix.shift", "must be a finite number ≥ 0");
        }
        return s.doubleValue();
    }

    private double[] readRhs(JsonNode r, CsrMatrix a, ObjectNode opts) throws JobRejectedException {
        int n = a.rows();
        if (r == null || r.isNull()) {
            double[] b = new double[n];
            java.util.Arrays.fill(b, 1.0);
            return b;
        }
        if (r.isArray()) {
            if (r.size() != n) throw invalid("problem.rhs", "length " + r.size() + " does not match matrix rows " + n);
            return doubles((ArrayNode) r, "problem.rhs", ErrorCode.INVALID_PROBLEM);
        }
        if (!r.isObject()) throw invalid("problem.rhs", "must be an array of numbers or a generator object");
        rejectUnknown((ObjectNode) r, Set.of("generator", "seed"), "problem.rhs.");
        JsonNode g = r.get("generator");
        if (g == null || !g.isTextual()) throw invalid("problem.rhs.generator", "is required (ones | random | a-times-ones)");
        double[] b = new double[n];
        switch (g.textValue()) {
            case "ones" -> java.util.Arrays.fill(b, 1.0);
            case "random" -> {
                JsonNode s = r.get("seed");
                long seed = s == null ? (opts.has("seed") && opts.get("seed").canConvertToLong() ? opts.get("seed").longValue() : 1L)
                        : s.canConvertToLong() && s.isIntegralNumber() ? s.longValue() : -1;
                if (s != null && !(s.isIntegralNumber() && s.canConvertToLong())) throw invalid("problem.rhs.seed", "must be an integer");
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int i = 0; i < n; i++) b[i] = rnd.nextDouble(-1, 1);
            }
            case "a-times-ones" -> {
                // b = A·1, so the exact solution is the ones vector: handy for checking answers.
                double[] ones = new double[n];
                java.util.Arrays.fill(ones, 1.0);
                a.multiply(ones, b);
            }
            default -> throw invalid("problem.rhs.generator",
                    "unknown generator '" + clip(g.textValue()) + "' (ones | random | a-times-ones)");
        }
        return b;
    }

    private JobOptions readOptions(ObjectNode o, JobKind kind) throws JobRejectedException {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!COMMON_OPTIONS.contains(name) && !(kind == JobKind.LINEAR && LINEAR_OPTIONS.contains(name))) {
                throw options("options." + clip(name), "unknown option for a " + kind.wireName() + " job");
            }
        }
        String backend = optionalString(o, "backend", 64);
        if (backend == null) backend = JobOptions.AUTO;
        Objective objective = Objective.LATENCY;
        String obj = optionalString(o, "objective", 32);
        if (obj != null) {
            objective = switch (obj) {
                case "latency" -> Objective.LATENCY;
                case "energy" -> Objective.ENERGY;
                default -> throw options("options.objective", "unknown objective '" + clip(obj) + "' (latency | energy)");
            };
        }
        long deadlineMs = optionalLong(o, "deadlineMs", 0, 7L * 24 * 3600 * 1000, 0);
        long seed = optionalLong(o, "seed", Long.MIN_VALUE, Long.MAX_VALUE, 1);
        LinearOptions d = LinearOptions.defaults();
        LinearMethod method = d.method();
        String ms = optionalString(o, "method", 32);
        if (ms != null) {
            method = LinearMethod.fromWire(ms);
            if (method == null) throw options("options.method", "unknown method '" + clip(ms) + "' (auto | cg | pcg | sor | ssor | bicgstab | gmres)");
        }
        String pre = optionalString(o, "preconditioner", 32);
        if (pre == null) pre = d.preconditioner();
        else if (!PRECONDITIONERS.contains(pre)) throw options("options.preconditioner", "unknown preconditioner '" + clip(pre) + "' (auto | none | jacobi)");
        double omega = d.omega();
        JsonNode om = o.get("omega");
        if (om != null && !om.isNull() && !(om.isTextual() && "auto".equals(om.textValue()))) {
            if (!om.isNumber() || !(om.doubleValue() > 0 && om.doubleValue() < 2)) {
                throw options("options.omega", "must be \"auto\" or a number in (0, 2) (SOR converges only there)");
            }
            omega = om.doubleValue();
        }
        double tol = d.tolerance();
        JsonNode t = o.get("tolerance");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || !(t.doubleValue() > 0 && t.doubleValue() < 1)) {
                throw options("options.tolerance", "must be a relative residual in (0, 1)");
            }
            tol = t.doubleValue();
        }
        int maxIt = (int) optionalLong(o, "maxIterations", 1, 100_000_000, d.maxIterations());
        Precision precision = d.precision();
        String ps = optionalString(o, "precision", 16);
        if (ps != null) {
            precision = Precision.fromWire(ps);
            if (precision == null) throw options("options.precision", "unknown precision '" + clip(ps) + "' (fp64 | fp32 | mixed)");
        }
        boolean ret = d.returnSolution();
        JsonNode rs = o.get("returnSolution");
        if (rs != null && !rs.isNull()) {
            if (!rs.isBoolean()) throw options("options.returnSolution", "must be true or false");
            ret = rs.booleanValue();
        }
        LinearOptions lin = new LinearOptions(method, pre, omega, tol, maxIt, precision, ret);
        return new JobOptions(backend, objective, deadlineMs, seed, lin);
    }

    // ---- small readers, each naming the field it reads ----

    private void rejectUnknown(ObjectNode node, Set<String> allowed, String prefix) throws JobRejectedException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                ErrorCode code = prefix.startsWith("problem") ? ErrorCode.INVALID_PROBLEM : ErrorCode.INVALID_OPTIONS;
                throw new JobRejectedException(code, prefix + clip(name), "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private int dimension(ObjectNode m, String name) throws JobRejectedException {
        JsonNode n = m.get(name);
        String field = "problem.matrix." + name;
        if (n == null || n.isNull()) throw invalid(field, "is required");
        if (!n.isIntegralNumber()) throw invalid(field, "must be a positive integer");
        if (!n.canConvertToLong() || n.longValue() <= 0) throw invalid(field, "must be a positive integer, was " + clip(n.asText()));
        if (n.longValue() > limits.maxUnknowns()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, field, n.longValue() + " exceeds the limit of " + limits.maxUnknowns());
        }
        return (int) n.longValue();
    }

    private void checkUnknowns(long n) throws JobRejectedException {
        if (n > limits.maxUnknowns()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "problem.matrix", n + " unknowns exceed the limit of " + limits.maxUnknowns());
        }
    }

    private void checkNnz(long nnz) throws JobRejectedException {
        if (nnz > limits.maxNonZeros()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "problem.matrix", nnz + " non-zeros exceed the limit of " + limits.maxNonZeros());
        }
    }

    private ArrayNode array(ObjectNode m, String name) throws JobRejectedException {
        JsonNode n = m.get(name);
        if (n == null || n.isNull()) throw invalid("problem.matrix." + name, "is required");
        if (!n.isArray()) throw invalid("problem.matrix." + name, "must be an array");
        return (ArrayNode) n;
    }

    private static int[] ints(ArrayNode a, String field) throws JobRejectedException {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw invalid(field + "[" + i + "]", "must be an integer in int range, was " + clip(v.toString()));
            }
            out[i] = v.intValue();
        }
        return out;
    }

    private static double[] doubles(ArrayNode a, String field, ErrorCode code) throws JobRejectedException {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber()) throw new JobRejectedException(code, field + "[" + i + "]", "must be a number, was " + clip(v.toString()));
            double d = v.doubleValue();
            if (!Double.isFinite(d)) throw new JobRejectedException(code, field + "[" + i + "]", "is not finite (" + clip(v.toString()) + ")");
            out[i] = d;
        }
        return out;
    }

    private static String optionalString(ObjectNode o, String name, int maxLength) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw options(fieldOf(o, name), "must be a string");
        if (n.textValue().length() > maxLength) throw options(fieldOf(o, name), "is longer than " + maxLength + " characters");
        return n.textValue();
    }

    private static String fieldOf(ObjectNode o, String name) {
        return (o.has("kind") ? "" : "options.") + name;
    }

    private static long optionalLong(ObjectNode o, String name, long min, long max, long dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw options("options." + name, "must be an integer in [" + min + ", " + max + "], was " + clip(n.toString()));
        }
        return n.longValue();
    }

    private static JobRejectedException invalid(String field, String message) {
        return new JobRejectedException(ErrorCode.INVALID_PROBLEM, field, message);
    }

    private static JobRejectedException options(String field, String message) {
        return new JobRejectedException(ErrorCode.INVALID_OPTIONS, field, message);
    }

    /** Keeps client-supplied text in error messages short and printable. */
    static String clip(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && b.length() < 60; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (s.length() > 60) b.append("…");
        return b.toString();
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
