package dev.kiln.runtime.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.spi.Job;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.SolveOutcome;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Learns ω per family for SOR, SSOR and SSOR-preconditioned CG ("Learning to Relax", Khodak,
 * Chow, Balcan and Talwalkar, ICLR 2024): the only feedback is the iteration count (§2: the cost
 * of an instance), jobs without context get the {@link UnimodalBandit}, jobs with a context the
 * {@link ContextualBandit} (§4).
 *
 * <p>Which jobs: linear, with a {@code family}, {@code omega: "auto"}, and method sor or ssor, or
 * cg/pcg with {@code preconditioner: ssor}. Others pass untouched. A job that does not converge
 * costs the iteration cap m, the paper's censored cost (§2).
 *
 * <p>Threads: {@link #tune} and {@link #learn} run on lane workers concurrently; each family's
 * state is guarded by its own monitor.
 */
public final class OmegaTuner implements Tuner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Most numbers of contextual samples in one {@code kiln.state} record: the tuner's publisher
     * sends with Kafka's default {@code max.request.size} of 1 MiB, and 30 000 numbers of at most
     * 25 characters each stay under 750 KB (with one context coordinate, all 512 samples of
     * 20 arms fit in 20 480 numbers).
     */
    static final int PERSISTED_NUMBERS = 30_000;

    private final OmegaGrid grid;
    private final Map<String, FamilyTuning> families = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(String key, FamilyTuning.Choice choice) { }

    public OmegaTuner() { this(OmegaGrid.PAPER); }

    public OmegaTuner(OmegaGrid grid) { this.grid = grid; }

    /** The tuner key of a job, or null when the tuner leaves the job alone. */
    static String key(Job job) {
        LinearOptions o = job.options().linear();
        if (o == null || job.family() == null || !o.omegaAuto()) return null;
        String method = switch (o.method()) {
            case SOR -> "sor";
            case SSOR -> "ssor";
            case CG, PCG -> o.preconditioner().equals("ssor") ? "pcg+ssor" : null;
            default -> null;
        };
        return method == null ? null : "tuner/" + job.family() + "/" + method;
    }

    @Override
    public Job tune(Job job) {
        String key = key(job);
        if (key == null) return job;
        FamilyTuning f = families.computeIfAbsent(key, k -> new FamilyTuning(grid, k.hashCode()));
        FamilyTuning.Choice c;
        synchronized (f) {
            c = f.choose(job.context());
        }
        pending.put(job.id(), new Pending(key, c));
        LinearOptions o = job.options().linear();
        return job.withLinear(new LinearOptions(o.method(), o.preconditioner(), c.omega(), o.tolerance(), o.maxIterations(),
                o.precision(), o.returnSolution()));
    }

    @Override
    public SolveOutcome learn(Job job, SolveOutcome out, long solveNanos) {
        Pending p = pending.remove(job.id());
        if (p == null) return out;
        FamilyTuning f = families.get(p.key());
        boolean countable = out.error() == null || out.converged();
        if (f != null && countable) {
            double cost = out.converged() ? out.iterations() : job.options().linear().maxIterations();
            synchronized (f) {
                f.update(p.choice(), job.context(), Math.max(cost, 1));
            }
        }
        Map<String, Object> params = new LinkedHashMap<>(out.parameters());
        params.put("omega", p.choice().omega());
        params.put("omegaExplored", p.choice().explored());
        if (p.choice().contextual()) params.put("omegaContextual", true);
        return new SolveOutcome(out.method(), params, out.iterations(), out.residualNorm(), out.converged(), out.solution(),
                out.error(), out.hardwareSeconds(), out.energyJoules(), out.answer());
    }

    @Override
    public Optional<Map<String, Object>> describe(String family) {
        String prefix = "tuner/" + family + "/";
        Map<String, Object> methods = new TreeMap<>();
        families.forEach((k, f) -> {
            if (k.startsWith(prefix) && k.indexOf('/', prefix.length()) < 0) {
                synchronized (f) {
                    methods.put(k.substring(prefix.length()), f.describe());
                }
            }
        });
        if (methods.isEmpty()) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", family);
        m.put("grid", Map.of("lo", grid.lo(), "hi", grid.hi(), "arms", grid.arms()));
        m.put("methods", methods);
        return Optional.of(m);
    }

    /** The contextual bandit learned under a state key, if any (tests: what a restore brought back). */
    Optional<ContextualBandit> contextual(String key) {
        return Optional.ofNullable(families.get(key)).map(FamilyTuning::contextual);
    }

    @Override
    public Map<String, String> snapshot() {
        Map<String, String> out = new LinkedHashMap<>();
        families.forEach((k, f) -> {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("version", 1);
            doc.put("lo", grid.lo()).put("hi", grid.hi()).put("arms", grid.arms());
            ArrayNode arms = doc.putArray("stats");
            synchronized (f) {
                for (ArmStats s : f.stats()) {
                    arms.addObject().put("pulls", s.pulls()).put("sum", s.sum()).put("sumSquares", s.sumSquares()).put("sumLog", s.sumLog());
                }
                writeContextual(doc, f.contextual());
            }
            out.put(k, doc.toString());
        });
        return out;
    }

    /**
     * The contextual bandit's per-arm statistics and newest samples, as
     * {@code "contextual": {"arms": [{pulls, sum, sumSquares, sumLog, samples: [[c₁, …, c_d, log cost], …]}, …]}}.
     * At most {@link #PERSISTED_NUMBERS} numbers in all: the newest samples of each arm first.
     */
    private static void writeContextual(ObjectNode doc, ContextualBandit cb) {
        int dims = -1, total = 0;
        for (int a = 0; a < cb.arms(); a++) {
            List<ContextualBandit.Sample> l = cb.samples(a);
            total += l.size();
            if (dims < 0 && !l.isEmpty()) dims = l.get(0).context().length;
        }
        if (total == 0) return;
        int perArm = Math.max(1, PERSISTED_NUMBERS / (cb.arms() * (dims + 1)));
        ArrayNode arms = doc.putObject("contextual").putArray("arms");
        for (int a = 0; a < cb.arms(); a++) {
            ArmStats s = cb.stats(a);
            ObjectNode o = arms.addObject().put("pulls", s.pulls()).put("sum", s.sum()).put("sumSquares", s.sumSquares()).put("sumLog", s.sumLog());
            ArrayNode samples = o.putArray("samples");
            List<ContextualBandit.Sample> l = cb.samples(a);
            for (ContextualBandit.Sample x : l.subList(Math.max(0, l.size() - perArm), l.size())) {
                ArrayNode row = samples.addArray();
                for (double c : x.context()) row.add(c);
                row.add(x.logCost());
            }
        }
    }

    private static ArmStats[] contextualStats(JsonNode arms) {
        ArmStats[] stats = new ArmStats[arms.size()];
        for (int i = 0; i < stats.length; i++) {
            JsonNode s = arms.path(i);
            stats[i] = new ArmStats(s.path("pulls").asLong(), s.path("sum").asDouble(), s.path("sumSquares").asDouble(), s.path("sumLog").asDouble());
        }
        return stats;
    }

    private static List<List<ContextualBandit.Sample>> contextualSamples(JsonNode arms) {
        List<List<ContextualBandit.Sample>> out = new ArrayList<>();
        for (JsonNode arm : arms) {
            List<ContextualBandit.Sample> l = new ArrayList<>();
            for (JsonNode row : arm.path("samples")) {
                if (!row.isArray() || row.size() < 2) continue;
                double[] c = new double[row.size() - 1];
                boolean finite = true;
                for (int i = 0; i < c.length; i++) {
                    c[i] = row.path(i).asDouble(Double.NaN);
                    finite &= Double.isFinite(c[i]);
                }
                double logCost = row.path(c.length).asDouble(Double.NaN);
                if (finite && Double.isFinite(logCost)) l.add(new ContextualBandit.Sample(c, logCost));
            }
            out.add(l);
        }
        return out;
    }

    @Override
    public void restore(String key, String json) {
        if (key == null || !key.startsWith("tuner/") || key.endsWith(MethodTuner.SUFFIX) || json == null) return;
        try {
            JsonNode doc = JSON.readTree(json);
            if (doc.path("arms").asInt() != grid.arms() || doc.path("lo").asDouble() != grid.lo() || doc.path("hi").asDouble() != grid.hi()) {
                return; // another grid: its statistics describe other arms
            }
            JsonNode st = doc.path("stats");
            ArmStats[] stats = new ArmStats[grid.arms()];
            for (int i = 0; i < stats.length; i++) {
                JsonNode s = st.path(i);
                stats[i] = new ArmStats(s.path("pulls").asLong(), s.path("sum").asDouble(), s.path("sumSquares").asDouble(), s.path("sumLog").asDouble());
            }
            FamilyTuning f = families.computeIfAbsent(key, k -> new FamilyTuning(grid, k.hashCode()));
            synchronized (f) {
                f.merge(stats);
                JsonNode cx = doc.path("contextual").path("arms");
                if (cx.isArray() && cx.size() == grid.arms()) f.contextual().merge(contextualStats(cx), contextualSamples(cx));
            }
        } catch (Exception e) {
            // A corrupt or foreign record must not stop the runtime: it is simply not learned from.
        }
    }
}
