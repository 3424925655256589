package dev.kiln.runtime.routing;

import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.Objective;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The learned router: places each job on the backend with the earliest predicted finish —
 * the predicted work already booked on it (per worker) plus the job's own predicted time —
 * as StarPU's {@code dmda} scheduler does (Augonnet et al., "StarPU: a unified platform for
 * task scheduling on heterogeneous multicore architectures", CCPE 2011, §5.2; transfer time
 * is inside the prediction here, since the model has the bytes to move as a feature). With
 * {@code objective: energy} it takes the lowest predicted energy among backends that report
 * energy, and earliest finish when none does. An explicit {@code options.backend} arrives as
 * the only candidate and is honoured.
 *
 * <p>Exploration, bounded by an {@link ExplorationBudget} in count and, for sampled draws, in
 * predicted extra time: a backend with fewer samples than
 * its fit has parameters is tried first (so a cold start learns every backend); otherwise, on
 * jobs no larger than the average greedy choice, Thompson sampling (Thompson 1933; Chapelle &amp;
 * Li, "An empirical evaluation of Thompson sampling", NIPS 2011) draws each backend's time from
 * its predictive log-normal and takes the earliest sampled finish — uncertain backends win the
 * draw now and then, well-known slow ones almost never. The predictive, not the fit's posterior:
 * the fits are one curve over all sizes and a backend's time is not (a cache cliff), so the
 * posterior's shrinking spread claimed a certainty the fit does not have and exploration died
 * while a rarely chosen backend's prediction stayed wrong (measured here: ./kiln bench routing
 * --quick --case mixed --no-burst --jobs 400, seeds 42/7/8: regret_pct 4.6/22.9/39.2 drawing
 * from the posterior, 5.7/5.6/1.6 from the predictive, both on below-mean jobs only). A choice
 * that differs from the greedy one is reported as {@code explored}.
 *
 * <p>A busy backend's booked work is scaled by a {@link BookingCorrection}: the median ratio
 * of measured to predicted time of its recent runs.
 *
 * <p>Threads: {@link #route} on submitting threads, the callbacks on workers; all state is in
 * thread-safe parts.
 */
public final class EarliestFinishRouter implements Router {
    private final CostModel model;
    /**
     * One exploration budget per job kind: kinds differ in size by orders of magnitude (a QUBO job of
     * 0.2 ms, a linear one of seconds), so one kind's cold start spent the others' count and one
     * kind's times set the others' time bound and size threshold (measured with QUBO and train
     * jobs in the mixed workload, branch {@code mixedkinds}: a backend's train model rested on
     * two runs because linear and QUBO jobs had spent the shared budget).
     */
    private final Map<JobKind, ExplorationBudget> budgets = new EnumMap<>(JobKind.class);
    private final Random random;
    private final WorkLedger ledger = new WorkLedger();
    private final BookingCorrection correction = new BookingCorrection();
    private final ColdFirstRun coldRuns = new ColdFirstRun();
    private volatile MeterRegistry registry;
    private final AtomicLong moves = new AtomicLong();
    /**
     * Prediction-error summaries by backend × kind, registered once: Micrometer's builder and
     * register per job cost a look-up through the registry's meter map on every finished job.
     */
    private final ConcurrentHashMap<String, EnumMap<JobKind, DistributionSummary>> errors =
            new ConcurrentHashMap<>();
    private volatile Counter exploredCounter;
    private volatile Counter greedyCounter;
    private volatile Timer overhead;

    /**
     * @param exploreRate  most explorations per decision in the long run
     * @param exploreBurst explorations allowed on top of the rate (cold start)
     * @param seed         seed of the Thompson draws
     */
    public EarliestFinishRouter(CostModel model, double exploreRate, long exploreBurst, long seed) {
        this.model = model;
        for (JobKind k : JobKind.values()) budgets.put(k, new ExplorationBudget(exploreRate, exploreBurst));
        this.random = new Random(seed);
    }

    /** A router with a fresh cost model and the {@code kiln.routing.*} settings. */
    public static EarliestFinishRouter fromConfig(KilnConfig config) {
        String rate = config.get(KilnConfig.ROUTING_EXPLORE_RATE);
        double r;
        try {
            r = Double.parseDouble(rate.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(KilnConfig.ROUTING_EXPLORE_RATE.name() + " must be a number, was '" + rate + "'");
        }
        return new EarliestFinishRouter(new CostModel(), r, config.getLong(KilnConfig.ROUTING_EXPLORE_BURST),
                config.getLong(KilnConfig.ROUTING_SEED));
    }

    @Override
    public Optional<CostModel> costModel() { return Optional.of(model); }

    @Override
    public RoutingDecision route(Job job, List<Candidate> candidates) {
        long t0 = System.nanoTime();
        JobKind kind = job.kind();
        ExplorationBudget budget = budgets.get(kind);
        budget.decided();
        int k = candidates.size();
        boolean energy = job.options().objective() == Objective.ENERGY;
        Prediction[] p = new Prediction[k];
        double[] wait = new double[k];
        boolean anyEnergy = false;
        for (int i = 0; i < k; i++) {
            Candidate c = candidates.get(i);
            p[i] = model.predict(c.backendId(), kind, job.family(), c.features());
            // A job starts at once while a worker is idle; otherwise after the booked work drains,
            // scaled by how the backend's recent runs compared with what they were booked for.
            boolean busy = c.queued() + c.running() >= Math.max(1, c.workers());
            wait[i] = busy ? ledger.outstanding(c.backendId()) * correction.factor(c.backendId()) / Math.max(1, c.workers()) : 0;
            anyEnergy |= Double.isFinite(p[i].energyJoules());
        }
        boolean byEnergy = energy && anyEnergy;
        int greedy = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double s = byEnergy ? p[i].energyJoules() : wait[i] + p[i].ms();
            if (Double.isFinite(s) && s < best) {
                best = s;
                greedy = i;
            }
        }
        if (greedy < 0) greedy = leastLoaded(candidates, -1, p, false);
        else if (!byEnergy) budget.greedy(best);
        int chosen = greedy;
        int probe;
        if (k > 1 && budget.available()) {
            int untried = leastLoaded(candidates, greedy, p, true);
            int judge = untried >= 0 ? -1 : judgeOfAColdRun(job, candidates, greedy);
            if (untried >= 0) {
                chosen = untried;
            } else if (judge >= 0) {
                chosen = judge;
            } else if (!byEnergy && (probe = probe(job, candidates, p, wait, greedy, best, budget)) >= 0) {
                chosen = probe;
                budget.spendMs(wait[probe] + p[probe].ms() - best);
            } else if (!byEnergy && budget.smallEnough(best)) {
                int drawn = thompson(p, wait, greedy);
                double extra = drawn == greedy ? 0 : wait[drawn] + p[drawn].ms() - best;
                if (budget.affordable(extra)) {
                    chosen = drawn;
                    budget.spendMs(extra);
                }
            }
            if (chosen != greedy) budget.spend();
        }
        boolean explored = chosen != greedy;
        Candidate c = candidates.get(chosen);
        double reserved = p[chosen].known() ? p[chosen].ms() : 0;
        ledger.book(c.backendId(), reserved);
        List<JobResult.Candidate> all = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            Candidate ci = candidates.get(i);
            all.add(new JobResult.Candidate(ci.backendId(), p[i].ms(), ci.queued() + ci.running()));
        }
        RoutingDecision d = new RoutingDecision(c.backendId(), p[chosen].ms(), all, explored, c.features(), reserved, job.family());
        Timer t = overhead;
        if (t != null) {
            t.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            (explored ? exploredCounter : greedyCounter).increment();
        }
        return d;
    }

    /**
     * Moves the job when the idle backend would finish it, starting now, before the backend it waits
     * on has drained its booked work: both sides predicted by the model and scaled by how each
     * backend's recent runs compared with their bookings ({@link BookingCorrection}), the same terms
     * {@link #route} compares. Only with a determined model for the idle backend (an untried one is
     * the exploration's business) and not for {@code objective: energy} jobs (their choice is not
     * about time). The waiting side counts the job itself, whose booking is in the ledger.
     */
    @Override
    public Optional<RoutingDecision> move(Job job, RoutingDecision current, Candidate from, Candidate to) {
        if (to.features() == null || job.options().objective() == Objective.ENERGY) return Optional.empty();
        Prediction p = model.predict(to.backendId(), job.kind(), job.family(), to.features());
        if (!p.known() || p.samples() < LogLinearModel.MIN_SAMPLES) return Optional.empty();
        double here = p.ms() * correction.factor(to.backendId());
        double there = ledger.outstanding(from.backendId()) * correction.factor(from.backendId()) / Math.max(1, from.workers());
        if (!(here < there)) return Optional.empty();
        ledger.book(to.backendId(), p.ms());
        MeterRegistry r = registry;
        if (r != null) Counter.builder("kiln.routing.moves").description("Queued jobs moved to an idle backend (late binding)")
                .tags("from", from.backendId(), "to", to.backendId()).register(r).increment();
        moves.incrementAndGet();
        return Optional.of(new RoutingDecision(to.backendId(), p.ms(), current.candidates(), false, to.features(), p.ms(),
                job.family(), from.backendId()));
    }

    /** Queued jobs moved to an idle backend so far. */
    public long moves() { return moves.get(); }

    /**
     * The candidate with the least work per worker (ties: first), skipping {@code skip}; with
     * {@code untriedOnly} only those whose model is not yet determined and that have no job in
     * flight, -1 when there is none.
     */
    private static int leastLoaded(List<Candidate> cs, int skip, Prediction[] p, boolean untriedOnly) {
        int best = -1;
        double load = Double.POSITIVE_INFINITY;
        for (int i = 0; i < cs.size(); i++) {
            if (i == skip) continue;
            if (untriedOnly && p[i].samples() >= LogLinearModel.MIN_SAMPLES) continue;
            Candidate c = cs.get(i);
            // One exploratory job at a time on a backend we know nothing of: a burst must not all
            // land on a slow emulator before its first result says how slow it is.
            if (untriedOnly && c.queued() + c.running() > 0) continue;
            double l = (double) (c.queued() + c.running()) / Math.max(1, c.workers());
            if (l < load) {
                load = l;
                best = i;
            }
        }
        return best;
    }

    /**
     * A candidate other than the greedy one whose first run waits to be judged ({@link
     * ColdFirstRun#pendingWork}) and for which this job's expected work is in [¼, 1] of that run's,
     * else -1: one such run per backend × kind tells a cold first run from a slow backend.
     */
    private int judgeOfAColdRun(Job job, List<Candidate> cs, int greedy) {
        for (int i = 0; i < cs.size(); i++) {
            if (i == greedy) continue;
            Candidate c = cs.get(i);
            double first = coldRuns.pendingWork(c.backendId(), job.kind());
            if (!(first > 0) || c.features() == null) continue;
            double work = PerformanceModel.work(c.features(), model.estimatedIterations(c.backendId(), job.kind(), job.family(), c.features()));
            if (work >= first / 4 && work <= first) return i;
        }
        return -1;
    }

    /**
     * A candidate other than the greedy one that has not run the job's family at about its size
     * ({@link CostModel#hasRunsNear}) and whose predicted extra time fits the exploration budget,
     * else -1. There its prediction is the fits' extrapolation from other sizes or other families,
     * and one that is too slow is never corrected (nothing runs there); a run corrects that size
     * and its neighbours. Not limited to jobs below the mean as sampled draws are: the time budget
     * bounds what probes cost, and a backend is probed at most once per few size buckets of a family.
     * Measured here with {@code ./kiln bench routing --case synthetic} (round 6): a backend that had
     * run 3-D jobs of every size and 2-D ones only small had its 2-D jobs of 10⁴ unknowns predicted
     * 3–5× their time from its 3-D runs and got none of them for 500 jobs (cold world, seeds 10 and 23).
     */
    private int probe(Job job, List<Candidate> cs, Prediction[] p, double[] wait, int greedy, double best, ExplorationBudget budget) {
        for (int i = 0; i < cs.size(); i++) {
            if (i == greedy || !p[i].known() || p[i].samples() < LogLinearModel.MIN_SAMPLES) continue;
            Candidate c = cs.get(i);
            if (model.hasRunsNear(c.backendId(), job.kind(), job.family(), c.features())) continue;
            if (budget.affordable(wait[i] + p[i].ms() - best)) return i;
        }
        return -1;
    }

    private int thompson(Prediction[] p, double[] wait, int greedy) {
        int best = greedy;
        double bestFinish = Double.POSITIVE_INFINITY;
        for (int i = 0; i < p.length; i++) {
            if (!p[i].known()) continue;
            double draw = Math.exp(p[i].logMean() + p[i].logSd() * random.nextGaussian());
            double f = wait[i] + draw;
            if (f < bestFinish) {
                bestFinish = f;
                best = i;
            }
        }
        return best;
    }

    @Override
    public void observe(RoutingDecision decision, JobKind kind, double solveMs, double joules, long iterations, boolean succeeded) {
        if (!succeeded || decision.features() == null) return;
        ColdFirstRun.Run run = new ColdFirstRun.Run(decision, kind, solveMs, joules, iterations);
        long samples = model.samples(decision.chosen(), kind);
        learn(run, true);
        List<ColdFirstRun.Run> relearn = coldRuns.offer(run, samples);
        if (!relearn.isEmpty()) {
            // The first run was cold: relearn this backend × kind from its runs so far, the first bounded.
            model.forgetTimes(decision.chosen(), kind);
            for (ColdFirstRun.Run r : relearn) learn(r, false);
        }
    }

    /** Learns one run; {@code fresh} = a run just finished (false when relearned: its booking was already compared). */
    private void learn(ColdFirstRun.Run run, boolean fresh) {
        RoutingDecision d = run.decision();
        if (fresh) correction.record(d.chosen(), run.solveMs(), d.reservedMs());
        Prediction before = fresh
                ? model.observe(d.chosen(), run.kind(), d.family(), d.features(), run.iterations(), run.solveMs(), run.joules())
                : model.relearn(d.chosen(), run.kind(), d.family(), d.features(), run.iterations(), run.solveMs(), run.joules());
        MeterRegistry r = registry;
        if (fresh && r != null && before.known()) predictionError(r, d.chosen(), run.kind()).record(Math.abs(Math.log(run.solveMs() / before.ms())));
    }

    private DistributionSummary predictionError(MeterRegistry r, String backend, JobKind kind) {
        EnumMap<JobKind, DistributionSummary> byKind = errors.get(backend);
        DistributionSummary s = byKind == null ? null : byKind.get(kind);
        if (s != null) return s;
        s = DistributionSummary.builder("kiln.routing.prediction.error")
                .description("|ln(actual / predicted)| of solve time: 0.1 is about 10 % off")
                .tags("backend", backend, "kind", kind.wireName())
                .register(r); // idempotent: a racing thread gets the same meter
        DistributionSummary meter = s;
        errors.compute(backend, (b, m) -> {
            EnumMap<JobKind, DistributionSummary> copy = m == null ? new EnumMap<>(JobKind.class) : new EnumMap<>(m);
            copy.put(kind, meter);
            return copy; // copy on write: readers never see an EnumMap being changed
        });
        return s;
    }

    @Override
    public void completed(RoutingDecision decision, JobResult result) {
        ledger.release(decision.chosen(), decision.reservedMs());
    }

    @Override
    public void bindMetrics(MeterRegistry r) {
        exploredCounter = Counter.builder("kiln.routing.decisions").tag("explored", "true")
                .description("Routing decisions, by whether they explored").register(r);
        greedyCounter = Counter.builder("kiln.routing.decisions").tag("explored", "false")
                .description("Routing decisions, by whether they explored").register(r);
        Gauge.builder("kiln.routing.exploration.ratio", this,
                        router -> router.decisions() == 0 ? 0 : (double) router.explorations() / router.decisions())
                .description("Share of routing decisions that explored").register(r);
        overhead = Timer.builder("kiln.routing.overhead").description("Time the router takes per decision").register(r);
        errors.clear(); // meters of an earlier registry
        registry = r;
    }

    /** The factor the backend's booked work is scaled by when it is busy (tests, metrics). */
    public double bookingFactor(String backend) { return correction.factor(backend); }

    /** Predicted work booked on a backend and not yet completed, ms (tests, metrics). */
    public double outstandingMs(String backend) { return ledger.outstanding(backend); }

    public long decisions() { return budgets.values().stream().mapToLong(ExplorationBudget::decisions).sum(); }

    public long explorations() { return budgets.values().stream().mapToLong(ExplorationBudget::explored).sum(); }
}
