package dev.kiln.runtime.recycling;

import dev.kiln.runtime.tuning.Tuner;
import dev.kiln.solvers.krylov.RecycledSubspace;
import dev.kiln.solvers.krylov.RecyclingSettings;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.RecycleExchange;
import dev.kiln.spi.RecyclingChannel;
import dev.kiln.spi.SolveOutcome;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Krylov recycling within a family (issue 4), as a {@link Tuner} the runtime calls around every
 * solve: before it, the job gets a warm start and a {@link RecycleExchange}; after it, the
 * family remembers the solution and the refreshed subspace.
 *
 * <ul>
 *   <li><b>Warm start.</b> A linear job with a {@code family} and no x0 of its own starts from the
 *   nearest kept solution of the family: nearest by {@code context} when jobs carry one, else by
 *   the sketch of b and A ({@link ProblemSketch}), the newest among equals. It arrives as the
 *   problem's x0, so every backend and method (SOR too) profits.</li>
 *   <li><b>Recycling.</b> For cg/pcg/auto jobs an exchange offers the family's recycled subspace
 *   and its other kept solutions; a backend that implements recycling (the CPU backend's
 *   {@code DeflatedConjugateGradient}) projects its start on them and returns a refreshed
 *   subspace (Ritz vectors of this solve), which replaces the family's.</li>
 *   <li><b>Report.</b> The outcome's parameters say what was recycled: {@code warmStart},
 *   {@code warmStartFrom} (the job whose solution started this one), {@code recycledVectors}
 *   (subspace vectors used), {@code startVectors} (earlier solutions in the Galerkin start),
 *   {@code subspaceRefreshed}, and {@code deflationAbandoned} when the backend fell back to plain CG.</li>
 * </ul>
 *
 * <p>Memory: at most {@link RecyclingConfig#history()} solutions and
 * {@link RecyclingConfig#vectors()} basis vectors per family, and all families together within
 * {@link RecyclingConfig#memoryBytes()} (least recently used families shed first). Process-local:
 * jobs keyed by family stay on one replica, and megabytes of vectors per family do not belong on
 * the {@code kiln.state} topic, so nothing is persisted ({@link #snapshot} is empty).
 *
 * <p>Threads: {@link #tune} and {@link #learn} run on lane workers concurrently; each family is
 * guarded by its own monitor, the family table by its own.
 */
public final class KrylovRecycler implements Tuner {
    /**
     * Solves between refreshes of a family's subspace. Harvesting costs about 2k dot products in
     * each of the first ℓ = 3k iterations plus the Rayleigh–Ritz step — measured about 5 ms per
     * solve on 128² (k = 8), a fifth of a cold solve — while a slowly varying family's subspace
     * stays good for many solves; every 8th solve (and every solve while there is none) keeps
     * that cost under a sixth of a cold solve.
     */
    static final int REFRESH_INTERVAL = 8;
    /** Jobs between tune and learn at most: far above lanes × workers; reached only through solves that threw. */
    static final int MAX_PENDING = 4096;

    private final RecyclingConfig config;
    private final RecyclingSettings settings;
    private final RecyclingSettings noHarvest;
    private final LinkedHashMap<String, FamilyMemory> families = new LinkedHashMap<>(16, 0.75f, true); // LRU order
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(String family, ProblemSketch sketch, String warmFrom, RecycleExchange exchange, int n) { }

    public KrylovRecycler(RecyclingConfig config) {
        this.config = config;
        this.settings = new RecyclingSettings(config.vectors(), config.window(), config.deflateIterations());
        this.noHarvest = new RecyclingSettings(0, 0, config.deflateIterations());
    }

    private FamilyMemory family(String name, boolean create) {
        synchronized (families) {
            FamilyMemory f = families.get(name);
            if (f == null && create) {
                f = new FamilyMemory();
                families.put(name, f);
            }
            return f;
        }
    }

    /** Methods whose CPU path runs CG, where a subspace and a Galerkin start apply. */
    private static boolean krylovSpd(LinearOptions o) {
        return o.method() == LinearMethod.CG || o.method() == LinearMethod.PCG || o.method() == LinearMethod.AUTO;
    }

    @Override
    public Job tune(Job job) {
        if (!config.enabled() || job.family() == null || !(job.problem() instanceof LinearProblem p)) return job;
        LinearOptions o = job.options().linear();
        if (o == null) return job;
        ProblemSketch sketch = ProblemSketch.of(p, job.context());
        FamilyMemory f = family(job.family(), true);
        boolean krylov = krylovSpd(o);
        FamilyMemory.Solved near;
        List<double[]> others;
        RecycledSubspace w;
        boolean refresh;
        synchronized (f) {
            f.jobs++;
            near = f.nearest(sketch);
            others = krylov ? f.others(p.x0() == null ? near : null, sketch, p.x0() == null ? config.history() - 1 : config.history())
                    : List.of();
            w = krylov ? f.subspace(p.size()) : RecycledSubspace.EMPTY;
            refresh = w.size() == 0 || f.solvesSinceRefresh >= REFRESH_INTERVAL;
        }
        boolean warm = p.x0() == null && near != null;
        Job tuned = warm ? withStart(job, p, near.solution()) : job;
        RecycleExchange exchange = null;
        if (krylov && (w.size() > 0 || !others.isEmpty() || settings.harvest() > 0)) {
            exchange = new RecycleExchange(w, others.toArray(new double[0][]), refresh ? settings : noHarvest);
            RecyclingChannel.open(tuned, exchange);
        }
        // A solve that throws never reaches learn (a re-routed job is tuned again under its id and
        // overwrites its entry); bound what such jobs can leave behind.
        if (pending.size() >= MAX_PENDING) pending.clear();
        pending.put(tuned.id(), new Pending(job.family(), sketch, warm ? near.jobId() : null, exchange, p.size()));
        return tuned;
    }

    private static Job withStart(Job job, LinearProblem p, double[] x0) {
        // The kept solution has the system's length and finite entries (it converged), so the
        // validated factory's checks would only cost a pass over x0.
        LinearProblem started = new LinearProblem(p.a(), p.b(), x0);
        JobOptions jo = job.options();
        return new Job(job.id(), job.kind(), job.family(), job.context(), started, jo);
    }

    @Override
    public SolveOutcome learn(Job job, SolveOutcome out, long solveNanos) {
        Pending pd = pending.remove(job.id());
        if (pd == null) return out;
        RecycleExchange ex = pd.exchange();
        if (ex != null) RecyclingChannel.close(job);
        FamilyMemory f = family(pd.family(), false);
        if (f != null) {
            synchronized (f) {
                if (pd.warmFrom() != null) f.warmStarts++;
                if (ex != null && ex.used()) {
                    if (ex.deflatedVectors() > 0 || ex.extraStart().length > 0) f.recycledSolves++;
                    if (ex.abandoned()) f.abandoned++;
                    if (ex.harvested() != null && ex.harvested().size() > 0) {
                        f.subspace(ex.harvested());
                        f.harvests++;
                        f.solvesSinceRefresh = 0;
                    } else {
                        f.solvesSinceRefresh++;
                    }
                }
                double[] x = out.solution();
                if (out.converged() && out.error() == null && x != null && x.length == pd.n()) {
                    f.remember(new FamilyMemory.Solved(job.id(), pd.sketch(), x), config.history());
                }
            }
            enforceBudget();
        }
        Map<String, Object> params = new LinkedHashMap<>(out.parameters());
        params.put("warmStart", pd.warmFrom() != null);
        if (pd.warmFrom() != null) params.put("warmStartFrom", pd.warmFrom());
        if (ex != null && ex.used()) {
            params.put("recycledVectors", ex.deflatedVectors());
            params.put("startVectors", ex.extraStart().length + (((LinearProblem) job.problem()).x0() != null ? 1 : 0));
            params.put("subspaceRefreshed", ex.harvested() != null && ex.harvested().size() > 0);
            if (ex.abandoned()) params.put("deflationAbandoned", true);
        }
        return new SolveOutcome(out.method(), params, out.iterations(), out.residualNorm(), out.converged(), out.solution(),
                out.error(), out.hardwareSeconds(), out.energyJoules(), out.answer());
    }

    /** Sheds the least recently used families' oldest vectors until all fit the budget. */
    private void enforceBudget() {
        synchronized (families) {
            long total = 0;
            for (FamilyMemory f : families.values()) {
                synchronized (f) {
                    total += f.bytes();
                }
            }
            var it = families.entrySet().iterator();
            while (total > config.memoryBytes() && it.hasNext()) {
                FamilyMemory f = it.next().getValue();
                synchronized (f) {
                    while (total > config.memoryBytes()) {
                        long before = f.bytes();
                        if (!f.shed()) break;
                        total -= before - f.bytes();
                    }
                    if (f.bytes() == 0 && f.solutionsKept() == 0) it.remove();
                }
            }
        }
    }

    @Override
    public Optional<Map<String, Object>> describe(String family) {
        FamilyMemory f;
        synchronized (families) {
            f = families.get(family); // (a get on an access-ordered map counts as use: reading the state is using it)
        }
        if (f == null) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> r = new LinkedHashMap<>();
        synchronized (f) {
            RecycledSubspace s = f.subspace();
            m.put("recycledSubspaceSize", s.size());
            r.put("mode", config.deflateIterations() ? "deflated-cg" : "deflated-start");
            r.put("subspaceDimension", s.dimension());
            List<Double> ritz = new ArrayList<>();
            for (double v : s.ritzValues()) ritz.add(v);
            r.put("ritzValues", ritz);
            r.put("solutionsKept", f.solutionsKept());
            r.put("jobs", f.jobs);
            r.put("warmStarts", f.warmStarts);
            r.put("recycledSolves", f.recycledSolves);
            r.put("subspaceRefreshes", f.harvests);
            r.put("deflationAbandoned", f.abandoned);
            r.put("bytes", f.bytes());
        }
        m.put("recycling", r);
        return Optional.of(m);
    }

    @Override
    public Map<String, String> snapshot() { return Map.of(); }

    @Override
    public void restore(String key, String json) { }

    /** For tests: the family's kept job ids, newest first (empty when unknown). */
    List<String> keptJobIds(String family) {
        FamilyMemory f = family(family, false);
        if (f == null) return List.of();
        synchronized (f) {
            return f.keptJobIds();
        }
    }
}
