package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.MaxCutGraph;
import dev.kiln.solvers.qubo.QuboAssembler;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.QuboOptions;

import java.util.Set;

import static dev.kiln.runtime.wire.JsonFields.clip;
import static dev.kiln.runtime.wire.JsonFields.invalid;
import static dev.kiln.runtime.wire.JsonFields.optionalDouble;
import static dev.kiln.runtime.wire.JsonFields.optionalLong;
import static dev.kiln.runtime.wire.JsonFields.optionalString;
import static dev.kiln.runtime.wire.JsonFields.options;
import static dev.kiln.runtime.wire.JsonFields.rejectUnknown;
import static dev.kiln.runtime.wire.JsonFields.tooLarge;

/**
 * Reads {@code kind: qubo} problems and options (wire format v1): exactly one of
 * {@code {"qubo":{"n":..,"terms":[[i,j,w],...]}}} (entries Qᵢⱼ of xᵀQx, 0-based; duplicates
 * summed) or {@code {"maxcut":{"n":..,"edges":[[i,j,w],...]}}} (undirected, 0-based, w
 * optional and 1 when left out), converted exactly to a QUBO whose energy is −cut. Declared n
 * is checked against the unknowns limit and the term count against the non-zeros limit before
 * anything is allocated.
 */
public final class QuboJobReader implements KindReader {
    private static final Set<String> PROBLEM_FIELDS = Set.of("qubo", "maxcut");
    private static final Set<String> QUBO_FIELDS = Set.of("n", "terms");
    private static final Set<String> MAXCUT_FIELDS = Set.of("n", "edges");
    private static final Set<String> OPTIONS = Set.of("timeLimitMs", "sweeps", "replicas", "target", "timesteps", "schedule",
            "maxTemperature", "minTemperature", "stepsPerTemperature", "refractScaling");
    /** One week, as the common {@code deadlineMs}. */
    private static final long MAX_TIME_LIMIT_MS = 7L * 24 * 3600 * 1000;

    private final WireLimits limits;

    public QuboJobReader(WireLimits limits) { this.limits = limits; }

    @Override
    public Decoded read(ObjectNode p, ObjectNode opts, long seed) throws JobRejectedException {
        QuboOptions options = readOptions(opts);
        try {
            return new Decoded(readProblem(p), options);
        } catch (InvalidProblemException e) {
            ErrorCode code = e.code() == InvalidProblemException.Code.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_PROBLEM;
            String m = e.getMessage();
            String f = e.field();
            throw new JobRejectedException(code, f, f != null && !f.isEmpty() && m.startsWith(f + ": ") ? m.substring(f.length() + 2) : m);
        }
    }

    private QuboProblem readProblem(ObjectNode p) throws JobRejectedException {
        rejectUnknown(p, PROBLEM_FIELDS, "problem.", ErrorCode.INVALID_PROBLEM);
        boolean hasQubo = p.hasNonNull("qubo");
        boolean hasMaxCut = p.hasNonNull("maxcut");
        if (hasQubo == hasMaxCut) throw invalid("problem", "needs exactly one of 'qubo' or 'maxcut'");
        String name = hasQubo ? "qubo" : "maxcut";
        JsonNode node = p.get(name);
        if (!node.isObject()) throw invalid("problem." + name, "must be an object");
        ObjectNode o = (ObjectNode) node;
        rejectUnknown(o, hasQubo ? QUBO_FIELDS : MAXCUT_FIELDS, "problem." + name + ".", ErrorCode.INVALID_PROBLEM);
        int n = readN(o, "problem." + name + ".n");
        String listName = hasQubo ? "terms" : "edges";
        String field = "problem." + name + "." + listName;
        JsonNode list = o.get(listName);
        if (list == null || list.isNull()) throw invalid(field, "is required (an array of [i, j, w])");
        if (!list.isArray()) throw invalid(field, "must be an array of [i, j, w]");
        ArrayNode a = (ArrayNode) list;
        if (a.size() > limits.maxNonZeros()) throw tooLarge(field, a.size() + " entries exceed the limit of " + limits.maxNonZeros());
        if (hasQubo) {
            QuboAssembler asm = new QuboAssembler(n, field, limits.maxUnknowns());
            for (int t = 0; t < a.size(); t++) {
                double[] ijw = triple(a.get(t), field + "[" + t + "]", n, false);
                asm.add((int) ijw[0], (int) ijw[1], ijw[2]);
            }
            return asm.build(QuboProblem.Origin.QUBO);
        }
        int m = a.size();
        int[] u = new int[m];
        int[] v = new int[m];
        double[] w = new double[m];
        for (int e = 0; e < m; e++) {
            double[] ijw = triple(a.get(e), field + "[" + e + "]", n, true);
            u[e] = (int) ijw[0];
            v[e] = (int) ijw[1];
            w[e] = ijw[2];
        }
        return MaxCutGraph.of(n, u, v, w, field).toQubo();
    }

    private int readN(ObjectNode o, String field) throws JobRejectedException {
        JsonNode n = o.get("n");
        if (n == null || n.isNull()) throw invalid(field, "is required");
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 1) throw invalid(field, "must be a positive integer, was " + clip(n.toString()));
        if (n.longValue() > limits.maxUnknowns()) throw tooLarge(field, n.longValue() + " variables exceed the limit of " + limits.maxUnknowns());
        return n.intValue();
    }

    /** [i, j, w] with i, j integers in [0, n) and w finite; w may be left out of an edge (weight 1). */
    private static double[] triple(JsonNode t, String field, int n, boolean weightOptional) throws JobRejectedException {
        if (!t.isArray() || t.size() != 3 && !(weightOptional && t.size() == 2)) {
            throw invalid(field, "must be [i, j, w]" + (weightOptional ? " or [i, j]" : "") + ", was " + clip(t.toString()));
        }
        double[] out = new double[3];
        for (int k = 0; k < 2; k++) {
            JsonNode v = t.get(k);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() >= n) {
                throw invalid(field, (k == 0 ? "i" : "j") + " must be an integer in [0, " + n + "), was " + clip(v.toString()));
            }
            out[k] = v.longValue();
        }
        if (t.size() == 2) {
            out[2] = 1;
        } else {
            JsonNode w = t.get(2);
            if (!w.isNumber()) throw invalid(field, "w must be a number, was " + clip(w.toString()));
            if (!Double.isFinite(w.doubleValue())) throw invalid(field, "w is not finite (" + clip(w.toString()) + ")");
            out[2] = w.doubleValue();
        }
        return out;
    }

    private static QuboOptions readOptions(ObjectNode opts) throws JobRejectedException {
        for (java.util.Iterator<String> it = opts.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!OPTIONS.contains(name) && !COMMON_OPTIONS.contains(name)) {
                java.util.TreeSet<String> all = new java.util.TreeSet<>(OPTIONS);
                all.addAll(COMMON_OPTIONS);
                throw options("options." + clip(name), "unknown option for a qubo job (expected one of " + all + ")");
            }
        }
        QuboOptions d = QuboOptions.defaults();
        long timeLimitMs = optionalLong(opts, "timeLimitMs", "options.timeLimitMs", 0, MAX_TIME_LIMIT_MS, d.timeLimitMs());
        long sweeps = optionalLong(opts, "sweeps", "options.sweeps", 1, 100_000_000, 0);
        long replicas = optionalLong(opts, "replicas", "options.replicas", 1, 1_000_000_000, 0);
        double target = optionalDouble(opts, "target", "options.target", -Double.MAX_VALUE, Double.MAX_VALUE, Double.NaN);
        long timesteps = optionalLong(opts, "timesteps", "options.timesteps", 1, 1_000_000_000, 0);
        String schedule = optionalString(opts, "schedule", "options.schedule", 16);
        if (schedule != null && !schedule.equals("linear") && !schedule.equals("geometric")) {
            throw options("options.schedule", "unknown schedule '" + clip(schedule) + "' (linear | geometric)");
        }
        double maxT = optionalDouble(opts, "maxTemperature", "options.maxTemperature", 0, 1e12, Double.NaN);
        double minT = optionalDouble(opts, "minTemperature", "options.minTemperature", 0, 1e12, Double.NaN);
        if (!Double.isNaN(maxT) && !Double.isNaN(minT) && minT > maxT) {
            throw options("options.minTemperature", "must not exceed maxTemperature (" + maxT + ")");
        }
        long stepsPerT = optionalLong(opts, "stepsPerTemperature", "options.stepsPerTemperature", 1, 1_000_000, d.stepsPerTemperature());
        // rand(0..255) >> s: shifts past 8 leave every refractory period at 0.
        long refract = optionalLong(opts, "refractScaling", "options.refractScaling", 0, 8, d.refractScaling());
        return new QuboOptions(timeLimitMs, (int) sweeps, (int) replicas, target, timesteps, schedule == null ? d.schedule() : schedule,
                maxT, minT, (int) stepsPerT, (int) refract);
    }
}
