package dev.kiln.runtime.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Backend;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the method and preconditioner of a family's {@code method: auto} jobs by what solved
 * the family's earlier jobs fastest (issue 4: "the same machinery, arms = method ×
 * preconditioner, with time as the cost"): one {@link MethodBandit} per family over the
 * {@link MethodArm}s that fit the job's matrix and that the backend it runs on supports.
 *
 * <p>Which jobs: linear, with a {@code family}, {@code method: auto}, {@code preconditioner:
 * auto} and fp64 (the mixed-precision path has one method). Others pass untouched. A choice of
 * {@code pcg+ssor} keeps {@code omega: "auto"}, so the {@link OmegaTuner}, chained after this
 * tuner, tunes its ω as for any SSOR-PCG job of the family.
 *
 * <p>Cost: the solve's wall time as the runtime measures it around {@code Backend.solve}
 * (tuning and recycling work included), as a log normalised per family ({@link MethodBandit}).
 * A cancelled or timed-out job teaches nothing. When the chosen arm fails where the backend's own
 * rule might not (not SPD, diverged, not converged), the runtime reruns the job untuned
 * ({@link #fellShort}, {@link #withFallback}), so exploring never costs a client its answer.
 *
 * <p>Results: {@code parameters.methodArm} (the arm) and {@code methodExplored}, as the ω tuner
 * writes {@code omega} and {@code omegaExplored}. State: {@code kiln.state} key
 * {@code tuner/<family>/method}.
 *
 * <p>Threads: {@link #tune} and {@link #learn} run on lane workers concurrently; each family's
 * bandit is guarded by its own monitor.
 */
public final class MethodTuner implements Tuner {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SUFFIX = "/method";

    private final Map<String, MethodBandit> families = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(String key, MethodBandit.Choice choice) { }

    /** The state key of a job, or null when the tuner leaves the job alone. */
    static String key(Job job) {
        LinearOptions o = job.options().linear();
        if (o == null || job.family() == null || !(job.problem() instanceof LinearProblem)) return null;
        if (o.method() != LinearMethod.AUTO || !o.preconditioner().equals("auto") || o.precision() != Precision.FP64) return null;
        return "tuner/" + job.family() + SUFFIX;
    }

    @Override
    public Job tune(Job job) { return tune(job, null); }

    @Override
    public Job tune(Job job, Backend backend) {
        String key = key(job);
        if (key == null) return job;
        List<MethodArm> fitting = new ArrayList<>();
        for (MethodArm a : MethodArm.fitting(((LinearProblem) job.problem()).a())) {
            if (backend == null || supported(backend, with(job, a))) fitting.add(a);
        }
        MethodBandit b = families.computeIfAbsent(key, k -> new MethodBandit());
        MethodBandit.Choice c;
        synchronized (b) {
            c = b.choose(fitting);
        }
        if (c == null) return job; // every fitting arm failed this family: the backend's own rule decides
        pending.put(job.id(), new Pending(key, c));
        return with(job, c.arm());
    }

    private static boolean supported(Backend backend, Job job) {
        try {
            Support s = backend.supports(job);
            return s != null && s.supported();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The job with the arm's method and preconditioner; every other option as the client sent it. */
    static Job with(Job job, MethodArm arm) {
        LinearOptions o = job.options().linear();
        return job.withLinear(new LinearOptions(arm.method(), arm.preconditioner(), o.omega(), o.tolerance(), o.maxIterations(),
                o.precision(), o.returnSolution()));
    }

    @Override
    public SolveOutcome learn(Job job, SolveOutcome out, long solveNanos) {
        Pending p = pending.remove(job.id());
        if (p == null) return out;
        MethodBandit b = families.get(p.key());
        boolean solved = out.succeeded();
        if (b != null && (solved || armFailed(out))) {
            synchronized (b) {
                b.update(p.choice(), solved, solveNanos / 1e6);
            }
        }
        Map<String, Object> params = new LinkedHashMap<>(out.parameters());
        params.put("methodArm", p.choice().arm().name());
        params.put("methodExplored", p.choice().explored());
        return new SolveOutcome(out.method(), params, out.iterations(), out.residualNorm(), out.converged(), out.solution(),
                out.error(), out.hardwareSeconds(), out.energyJoules(), out.answer());
    }

    /** A failure the method is to blame for (not a cancellation, a deadline, or an internal error). */
    private static boolean armFailed(SolveOutcome out) {
        if (out.error() == null) return !out.converged();
        ErrorCode c = out.error().code();
        return c == ErrorCode.NOT_SPD || c == ErrorCode.NOT_CONVERGED || c == ErrorCode.DIVERGED;
    }

    /**
     * True when this tuner chose the method of {@code tuned} (the client asked for {@code auto})
     * and that method failed in a way the backend's own rule may not: the runtime then solves
     * {@code original} as it would have without the tuner.
     */
    public static boolean fellShort(Job original, Job tuned, SolveOutcome out) {
        LinearOptions o = original.options().linear(), t = tuned.options().linear();
        return o != null && t != null && o.method() == LinearMethod.AUTO && t.method() != LinearMethod.AUTO
                && !out.succeeded() && armFailed(out);
    }

    /**
     * The rerun's outcome, named as the CPU backend names its own fallback
     * ({@code pcg+ic0→pcg+jacobi}), keeping the tuner's parameters and saying what failed.
     */
    public static SolveOutcome withFallback(SolveOutcome failed, SolveOutcome rerun) {
        Map<String, Object> params = new LinkedHashMap<>(rerun.parameters());
        for (String k : List.of("methodArm", "methodExplored")) {
            if (failed.parameters().containsKey(k)) params.put(k, failed.parameters().get(k));
        }
        params.put("methodFallbackFrom", failed.method());
        params.put("methodFallbackAfterIterations", failed.iterations());
        return new SolveOutcome(failed.method() + "→" + rerun.method(), params, rerun.iterations(), rerun.residualNorm(),
                rerun.converged(), rerun.solution(), rerun.error(), rerun.hardwareSeconds(), rerun.energyJoules(), rerun.answer());
    }

    @Override
    public Optional<Map<String, Object>> describe(String family) {
        MethodBandit b = families.get("tuner/" + family + SUFFIX);
        if (b == null) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", family);
        synchronized (b) {
            m.put("methodChoice", b.describe());
        }
        return Optional.of(m);
    }

    /** The arm the family's bandit currently leads with, if it has tried any (tests, benches). */
    public Optional<String> leader(String family) {
        MethodBandit b = families.get("tuner/" + family + SUFFIX);
        if (b == null) return Optional.empty();
        synchronized (b) {
            return Optional.ofNullable(b.leaderName());
        }
    }

    @Override
    public Map<String, String> snapshot() {
        Map<String, String> out = new LinkedHashMap<>();
        families.forEach((k, b) -> {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("version", 1);
            ObjectNode arms = doc.putObject("arms");
            synchronized (b) {
                b.records().forEach((name, r) -> arms.putObject(name).put("solved", r.solved().n()).put("sumLnMs", r.solved().sum())
                        .put("sumSquaresLnMs", r.solved().sumSquares()).put("failures", r.failures()).put("warm", r.warm()));
            }
            out.put(k, doc.toString());
        });
        return out;
    }

    @Override
    public void restore(String key, String json) {
        if (key == null || !key.startsWith("tuner/") || !key.endsWith(SUFFIX) || json == null) return;
        try {
            JsonNode doc = JSON.readTree(json);
            if (doc.path("version").asInt() != 1 || !doc.path("arms").isObject()) return;
            Map<String, MethodBandit.ArmRecord> records = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : doc.path("arms").properties()) {
                JsonNode s = e.getValue();
                long solved = s.path("solved").asLong(), failures = s.path("failures").asLong();
                if (solved < 0 || failures < 0) return;
                records.put(e.getKey(), new MethodBandit.ArmRecord(new MethodBandit.LogTimes(solved, s.path("sumLnMs").asDouble(),
                        s.path("sumSquaresLnMs").asDouble()), failures, s.path("warm").asBoolean()));
            }
            MethodBandit b = families.computeIfAbsent(key, k -> new MethodBandit());
            synchronized (b) {
                b.merge(records);
            }
        } catch (Exception e) {
            // A corrupt or foreign record must not stop the runtime: it is simply not learned from.
        }
    }
}
