package dev.kiln.backend.cpu;

import dev.kiln.solvers.qubo.AnnealSchedule;
import dev.kiln.solvers.qubo.SweepCost;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * QUBO and Max-Cut on the CPU: independent simulated-annealing reads ({@link SimulatedAnnealer},
 * on neal's β range made colder at the hot end, {@link #scheduleFor})
 * spread over the cores, each from its own seeded random start, until the read budget, the
 * time limit or the target is reached. Read r is seeded from (seed, r) alone and the best is
 * the lowest energy with ties to the lowest read index, so a run bounded by reads gives the same
 * answer for a fixed seed whatever the thread count; runs bounded by time or target depend on
 * how far the threads got.
 *
 * <p>When the couplings differ in magnitude (QUBOs such as Beasley's, not unit-weight
 * Max-Cut), a read is a short anneal followed by a one-flip tabu search ({@link TabuSearch})
 * from its end state, and the read's answer is the better of the two; the search is a pure
 * function of that state and the read's seed, so the thread-count independence above holds.
 *
 * <p>On sparse unweighted Max-Cut ({@link #searchesByBreakout}) a read is instead a Breakout
 * Local Search ({@link BreakoutLocalSearch}) from a seeded random start, for {@code sweeps}·n
 * flips, or for the whole budget under a time limit (one read per worker); it too is a pure
 * function of (seed, read) when bounded by flips, and reports flips/n as its sweeps.
 *
 * <p>On denser unweighted Max-Cut under a time limit ({@link #refinesElite}) all workers anneal for
 * the first half of the budget; then worker 0 runs a Breakout Local Search from the best state
 * until the budget ends (restarting from the best when the annealing workers overtake it) while
 * the others go on annealing (time-bounded runs are not thread-count independent anyway).
 *
 * <p>Every read also checks the target after every sweep (the energy is tracked incrementally,
 * so the check is free), so a run stops the sweep it first holds a state at the target instead
 * of finishing the anneal.
 */
public final class CpuQuboSolver {
    /** neal's default number of sweeps per read (dwave-neal {@code SimulatedAnnealingSampler.sample}, num_sweeps=1000). */
    public static final int DEFAULT_SWEEPS = 1000;
    /** Reads per core when neither a time limit nor a read count is given. */
    static final int DEFAULT_READS_PER_CORE = 2;

    private final int threads;

    public CpuQuboSolver() { this(Runtime.getRuntime().availableProcessors()); }

    public CpuQuboSolver(int threads) { this.threads = Math.max(1, threads); }

    public Support supports(Job job) {
        if (!(job.problem() instanceof QuboProblem)) return Support.no(ErrorCode.INVALID_PROBLEM, "a qubo job must carry a QUBO problem");
        return Support.YES;
    }

    /**
     * The cost model's features: (n + nnz) × iterations is the solve's work in anneal-sweep
     * variable visits ({@link SweepCost}) on one worker: n = variables, nnz = the couplings'
     * share of a sweep, iterations = rounds of reads (⌈reads ÷ threads⌉: the workers run reads
     * side by side) × the sweep-equivalents of one read — its sweeps, plus its tabu search
     * ({@link #TABU_ITERATION_SWEEPS} a sweep per iteration, at least {@link #tabuStale} of them),
     * or for a Breakout Local Search its flips ÷ n × {@link #BREAKOUT_SWEEP_COST}. A run under a
     * time limit without a read count lasts the limit, which this does not describe (it counts
     * one round of the default sweeps).
     */
    public Features features(Job job) {
        QuboProblem q = (QuboProblem) job.problem();
        QuboOptions o = options(job);
        long reads = o.replicas() > 0 ? o.replicas() : o.timeLimitMs() > 0 ? threads : (long) DEFAULT_READS_PER_CORE * threads;
        long rounds = (reads + threads - 1) / threads;
        double perRead;
        if (searchesByBreakout(q)) {
            perRead = (o.sweeps() > 0 ? o.sweeps() : DEFAULT_SWEEPS) * BREAKOUT_SWEEP_COST;
        } else {
            int sweeps = o.sweeps() > 0 ? o.sweeps() : polishesWithTabu(q) ? TABU_ANNEAL_SWEEPS : DEFAULT_SWEEPS;
            perRead = sweeps + tabuStale(q) * TABU_ITERATION_SWEEPS;
        }
        return new Features(q.n(), SweepCost.couplingShare(q), rounds * perRead, 0, Precision.FP64);
    }

    /**
     * Anneal sweeps one tabu iteration costs: it scans every variable's ΔE (no random draw, no
     * exp) and flips one. Measured here (the probe of {@link SweepCost}: tabu search from a
     * 100-sweep anneal's end, stopping rule {@link #tabuStale}, min of 25, one thread) 0.27,
     * 0.19, 0.15, 0.10 sweeps an iteration on bqp50, 100, 250, 500 (10·n iterations each, 135–494
     * sweeps in all, where the anneal itself is 10–100); 1/6 is their geometric mean.
     */
    static final double TABU_ITERATION_SWEEPS = 1.0 / 6;

    /**
     * Anneal sweeps one Breakout Local Search sweep (n flips) costs: each flip moves its
     * neighbours' gains between buckets. Measured here (the probe of {@link SweepCost}, min of
     * 25, one thread) on G14, the one graph of the routing bench's mixed workload that
     * {@link #searchesByBreakout} picks: 100·n flips 11.1 ms against 31.3 µs an anneal sweep.
     */
    static final double BREAKOUT_SWEEP_COST = 3.5;

    static QuboOptions options(Job job) {
        QuboOptions o = job.options().kind(QuboOptions.class);
        return o == null ? QuboOptions.defaults() : o;
    }

    public SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        QuboProblem q = (QuboProblem) job.problem();
        QuboOptions o = options(job);
        QuboRun run = run(q, o, job.options().seed(), cancellation, progress);
        Map<String, Object> answer = answer(q, o, run);
        boolean breakout = searchesByBreakout(q);
        Map<String, Object> params = Map.of("sweeps", o.sweeps() > 0 ? o.sweeps() : polishesWithTabu(q) ? TABU_ANNEAL_SWEEPS : DEFAULT_SWEEPS,
                "threads", threads, "tabuPolish", polishesWithTabu(q), "breakoutLocalSearch", breakout,
                "eliteBreakout", refinesElite(q, o));
        JobError error = switch (run.stoppedBy()) {
            case "cancelled" -> new JobError(ErrorCode.CANCELLED, "cancelled after " + run.reads() + " reads; answer holds the best found");
            case "deadline" -> new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed after " + run.reads() + " reads; answer holds the best found");
            default -> null;
        };
        return new SolveOutcome(breakout ? "breakout-local-search" : "simulated-annealing", params, (int) Math.min(Integer.MAX_VALUE, run.sweeps()), Double.NaN,
                error == null, null, error, Double.NaN, Double.NaN, answer);
    }

    /** The result's {@code answer} object. */
    static Map<String, Object> answer(QuboProblem q, QuboOptions o, QuboRun run) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("energy", run.bestEnergy());
        if (q.origin() == QuboProblem.Origin.MAXCUT) a.put("cut", q.objective(run.bestEnergy()));
        a.put("assignment", run.best());
        a.put("reads", run.reads());
        a.put("sweeps", run.sweeps());
        a.put("solveMs", run.nanos() / 1e6);
        a.put("stoppedBy", run.stoppedBy());
        if (o.hasTarget()) {
            a.put("target", o.target());
            a.put("targetReached", run.nanosToTarget() >= 0);
            if (run.nanosToTarget() >= 0) a.put("timeToTargetMs", run.nanosToTarget() / 1e6);
            double found = q.objective(run.bestEnergy());
            if (o.target() != 0) a.put("gapPct", 100 * Math.abs(found - o.target()) / Math.abs(o.target()));
        }
        return a;
    }

    /** Runs reads on {@link #threads} threads; see the class comment for the stopping rules. */
    public QuboRun run(QuboProblem q, QuboOptions o, long seed, Cancellation cancellation, ProgressSink progress) {
        boolean elite = refinesElite(q, o);
        long annealMs = elite ? (long) (o.timeLimitMs() * ELITE_ANNEAL_FRACTION) : o.timeLimitMs();
        int sweeps = o.sweeps() > 0 ? o.sweeps() : polishesWithTabu(q) ? TABU_ANNEAL_SWEEPS
                : searchesByBreakout(q) ? 0 : o.timeLimitMs() > 0 ? sweepsFitting(q, o.timeLimitMs()) : DEFAULT_SWEEPS;
        long maxReads = o.replicas() > 0 ? o.replicas()
                : o.timeLimitMs() > 0 ? Long.MAX_VALUE : (long) DEFAULT_READS_PER_CORE * threads;
        double targetEnergy = !o.hasTarget() ? Double.NEGATIVE_INFINITY
                : q.origin() == QuboProblem.Origin.MAXCUT ? -o.target() : o.target();
        double[] betas = searchesByBreakout(q) ? new double[0] : scheduleFor(q).betas(sweeps);
        long start = System.nanoTime();
        long stopAt = o.timeLimitMs() > 0 ? start + o.timeLimitMs() * 1_000_000L : Long.MAX_VALUE;
        long eliteAt = elite ? start + annealMs * 1_000_000L : Long.MAX_VALUE;

        Shared shared = new Shared(q.n(), start);
        AtomicLong nextRead = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        int workers = (int) Math.min(threads, maxReads);
        boolean breakout = searchesByBreakout(q);
        long flipsPerRead = breakout ? breakoutFlipsPerRead(q, o) : 0;
        java.util.function.IntConsumer worker = index -> {
            SimulatedAnnealer sa = breakout ? null : new SimulatedAnnealer(q);
            TabuSearch tabu = breakout ? null : new TabuSearch(q);
            BreakoutLocalSearch bls = breakout || elite ? new BreakoutLocalSearch(q) : null;
            byte[] randomStart = breakout || elite ? new byte[q.n()] : null;
            Xorshift128Plus startRng = new Xorshift128Plus();
            long stale = tabuStale(q);
            while (!stop.get()) {
                long r = nextRead.getAndIncrement();
                if (r >= maxReads) break;
                long readSeed = Xorshift128Plus.splitmix(seed * 0x9E3779B97F4A7C15L + r);
                if (elite && index == 0 && System.nanoTime() >= eliteAt && shared.copyBest(randomStart)) {
                    // The annealing phase is over: worker 0 runs a Breakout Local Search from the best
                    // state so far (see refinesElite), and starts over from the best whenever an
                    // annealing worker has overtaken it.
                    TabuSearch.Guard base = guard(stop, stopAt, cancellation, shared, targetEnergy, true);
                    TabuSearch.Guard untilOvertaken = new TabuSearch.Guard() {
                        @Override
                        public boolean proceed() { return base.proceed() && !(shared.bestEnergy() < bls.bestEnergy()); }

                        @Override
                        public boolean improved(double best) { return base.improved(best); }
                    };
                    long flips = bls.search(randomStart, readSeed ^ TABU_SEED_SALT, Long.MAX_VALUE, untilOvertaken);
                    double energy = bls.bestEnergy();
                    shared.offer(energy, bls.best(), r, (int) Math.min(Integer.MAX_VALUE, flips / q.n()));
                    finishRead(energy, targetEnergy, stopAt, cancellation, shared, stop, progress);
                    continue;
                }
                if (breakout) {
                    // BLS §3.1: each search starts from a uniformly random assignment.
                    startRng.seed(readSeed);
                    for (int i = 0; i < randomStart.length; i++) randomStart[i] = (byte) (startRng.next() >>> 63);
                    long flips = bls.search(randomStart, readSeed ^ TABU_SEED_SALT, flipsPerRead, guard(stop, stopAt, cancellation, shared, targetEnergy, true));
                    double energy = bls.bestEnergy();
                    shared.offer(energy, bls.best(), r, (int) Math.min(Integer.MAX_VALUE, flips / q.n()));
                    finishRead(energy, targetEnergy, stopAt, cancellation, shared, stop, progress);
                    continue;
                }
                int done = sa.anneal(readSeed, betas, (s, e) -> {
                    if (e <= targetEnergy) return false;
                    if ((s & 7) != 0) return !stop.get();
                    if (System.nanoTime() >= stopAt) { shared.stop("time", stop); return false; }
                    if (cancellation.cancelled()) { shared.stop("cancelled", stop); return false; }
                    if (cancellation.deadlinePassed()) { shared.stop("deadline", stop); return false; }
                    return !stop.get();
                });
                double energy = sa.energy();
                byte[] state = sa.state();
                if (energy > targetEnergy && stale > 0 && !stop.get()) {
                    tabu.search(state, readSeed ^ TABU_SEED_SALT, stale, guard(stop, stopAt, cancellation, shared, targetEnergy, false));
                    if (tabu.bestEnergy() < energy) {
                        energy = tabu.bestEnergy();
                        state = tabu.best();
                    }
                }
                shared.offer(energy, state, r, done);
                finishRead(energy, targetEnergy, stopAt, cancellation, shared, stop, progress);
            }
        };
        if (workers == 1) {
            worker.accept(0);
        } else {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                int index = t;
                ts.add(Thread.ofPlatform().name("kiln-qubo-" + t).daemon().start(() -> worker.accept(index)));
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    stop.set(true);
                    Thread.currentThread().interrupt();
                }
            }
        }
        return shared.result(System.nanoTime() - start);
    }

    /** After a read was offered: target, clock and cancellation checks, then progress. */
    private static void finishRead(double energy, double targetEnergy, long stopAt, Cancellation cancellation, Shared shared,
                                   AtomicBoolean stop, ProgressSink progress) {
        if (energy <= targetEnergy) shared.reachTarget(stop);
        if (System.nanoTime() >= stopAt) shared.stop("time", stop);
        if (cancellation.cancelled()) shared.stop("cancelled", stop);
        else if (cancellation.deadlinePassed()) shared.stop("deadline", stop);
        progress.report((int) Math.min(Integer.MAX_VALUE, shared.reads()), shared.bestEnergy());
    }

    /**
     * Stops a local search on the clock (polled every fourth call), cancellation, another worker's
     * stop or the target. With {@code timeline}, each new best of the search is also noted in the
     * run's improvement timeline when it happens: a Breakout Local Search read lasts the whole
     * budget, and would otherwise show its progress only at its end.
     */
    private static TabuSearch.Guard guard(AtomicBoolean stop, long stopAt, Cancellation cancellation, Shared shared, double targetEnergy,
                                          boolean timeline) {
        return new TabuSearch.Guard() {
            private int polls;

            @Override
            public boolean proceed() {
                if (stop.get()) return false;
                if ((++polls & 3) != 0) return true;
                if (System.nanoTime() >= stopAt) { shared.stop("time", stop); return false; }
                if (cancellation.cancelled()) { shared.stop("cancelled", stop); return false; }
                if (cancellation.deadlinePassed()) { shared.stop("deadline", stop); return false; }
                return true;
            }

            @Override
            public boolean improved(double best) {
                if (timeline) shared.note(best);
                return best > targetEnergy;
            }
        };
    }

    /**
     * Whether reads are Breakout Local Search runs ({@link BreakoutLocalSearch}) instead of
     * anneals: for unweighted Max-Cut (every edge weight the same positive integer, so the QUBO's
     * couplings are all equal and positive and the gains fit buckets) on a sparse graph, mean
     * degree at most {@link #BREAKOUT_MAX_MEAN_DEGREE}. Measured here (1 s, 2 cores, 4 seeds each,
     * docs/ARCHITECTURE.md issue 6): BLS beats annealing on the planar G14/G15 (mean degree 11.7;
     * annealing plateaus 0.23 % short, BLS 0.1 %) and loses on the random G1–G3 (48), G22 and G43
     * (20) and the toroidal ±1 G11/G12 (4, mixed signs), where annealing reaches the best-known
     * values; a portfolio (half the reads each) lost on those too. So the rule is fitted to those
     * eight graphs: the degree bound sits between 11.7 and 20, and is a measured boundary, not a
     * theory. Everything else (QUBOs, MIS, weighted or ±1 Max-Cut) anneals as before.
     */
    public static boolean searchesByBreakout(QuboProblem q) {
        if (q.origin() != QuboProblem.Origin.MAXCUT || q.colIdx().length > BREAKOUT_MAX_MEAN_DEGREE * q.n()) return false;
        double[] b = q.coupling();
        if (b.length == 0 || b[0] <= 0) return false;
        for (double v : b) if (v != b[0]) return false;
        return BreakoutLocalSearch.fits(q);
    }

    /**
     * Whether a time-limited run switches one worker, after the first {@link #ELITE_ANNEAL_FRACTION}
     * of the budget, from annealing to a Breakout Local Search ({@link BreakoutLocalSearch}) from the
     * best state found so far (restarted from the best whenever the annealing workers overtake it):
     * for unweighted Max-Cut (as {@link #searchesByBreakout}) that is not sparse enough for BLS alone,
     * under a time limit with neither a read count nor sweeps given (so read-bounded runs stay
     * thread-count independent). Annealing finds the region of the good cuts; BLS's descent and
     * perturbations over bucketed gains then search around the best of them, where independent
     * anneals only sample it again. Improving the best members of a population by a local search
     * is the usual hybrid (Lü, Glover &amp; Hao 2010, the source of {@link TabuSearch}, improve each
     * offspring of their UBQP population by tabu search; BLS is a local search from any start, its
     * §3.1 draws one at random). Measured here
     * (docs/ARCHITECTURE.md issue 6): a throwaway harness, one thread, 0.3 s of thread CPU time per
     * run, mean cut over 6–10 seeds, annealing alone vs anneal half then BLS: G43 6658.7 vs 6659.9,
     * G3 11620.9 vs 11621.5, G2 11616.3 vs 11618.0, G22 13353.7 vs 13357.3, G1 11624.0 vs 11623.5;
     * on the ±1 toroidal G11/G12 it lost (563.3 vs 562.0, 555.3 vs 555.0), hence unit weights only.
     * Keeping the other worker annealing (instead of both running BLS) and restarting from an
     * overtaking best were measured with the real solver, 1 s, 2 threads.
     */
    public static boolean refinesElite(QuboProblem q, QuboOptions o) {
        if (o.timeLimitMs() <= 0 || o.replicas() > 0 || o.sweeps() > 0) return false;
        if (q.origin() != QuboProblem.Origin.MAXCUT || searchesByBreakout(q)) return false;
        double[] b = q.coupling();
        if (b.length == 0 || b[0] <= 0) return false;
        for (double v : b) if (v != b[0]) return false;
        return BreakoutLocalSearch.fits(q);
    }

    /**
     * Share of the time limit all workers anneal before one switches to BLS ({@link #refinesElite}):
     * measured here (harness above, mean cut, 8 seeds on G43, 6 on G1) 0.3 / 0.5 / 0.7 gave G43
     * 6659.4 / 6660.0 / 6660.0 and G1 11619.7 / 11623.5 / 11623.5; 0.5 leaves BLS the more time of
     * the two that tied.
     */
    static final double ELITE_ANNEAL_FRACTION = 0.5;

    /** Mean degree bound of {@link #searchesByBreakout}: between G14/G15's 11.7 (BLS wins) and G22/G43's 20 (annealing wins). */
    static final int BREAKOUT_MAX_MEAN_DEGREE = 16;

    /**
     * Flips per Breakout Local Search read: {@code sweeps}·n when sweeps are given (a sweep is n
     * flip attempts in the annealer, so the two budgets compare), unbounded under a time limit (BLS
     * diversifies by itself, so one search per worker for the whole budget; a restart would throw
     * its descent away), else neal's 1000 sweeps' worth.
     */
    static long breakoutFlipsPerRead(QuboProblem q, QuboOptions o) {
        if (o.sweeps() > 0) return (long) o.sweeps() * q.n();
        if (o.timeLimitMs() > 0) return Long.MAX_VALUE;
        return (long) DEFAULT_SWEEPS * q.n();
    }

    /**
     * Sweeps per read when only a time limit is given: neal's 1000, or fewer so that every
     * thread completes at least two full anneals in the budget (a read cut off by the clock
     * ends hot, and its state is nearly random). The sweep cost is measured on a 16-sweep
     * calibration anneal over the same β range.
     */
    static int sweepsFitting(QuboProblem q, long timeLimitMs) {
        SimulatedAnnealer sa = new SimulatedAnnealer(q);
        double[] betas = scheduleFor(q).betas(16);
        sa.anneal(0x5EED, betas, (s, e) -> true); // once to warm up the JIT, then timed
        // The fastest of three timings: on a shared machine a single timing can include a
        // descheduling, make a sweep look dearer than it is and cut every read of the run short
        // (seen here as G1 runs ending at 11595 and 11618 under load 12-15; docs, issue 6).
        long fastest = Long.MAX_VALUE;
        for (int k = 1; k <= 3; k++) {
            long t0 = System.nanoTime();
            sa.anneal(0x5EED + k, betas, (s, e) -> true);
            fastest = Math.min(fastest, System.nanoTime() - t0);
        }
        double perSweep = Math.max(1, fastest) / 16.0;
        long fit = (long) (timeLimitMs * 1e6 / 2 / perSweep);
        return (int) Math.max(MIN_SWEEPS, Math.min(DEFAULT_SWEEPS, fit));
    }

    /**
     * How much colder than neal's the first sweep is: β_hot = 10 × neal's, so the largest
     * possible flip is accepted with probability 2⁻¹⁰ at the start instead of ½ (neal's β_cold is
     * kept). Measured at equal wall time (1 s, 2 cores, G1–G43 and bqp500 of
     * {@code ../shared/data/qubo}; factors 1, 5, 10, 20, 30 tried): neal's hot start spends most of
     * a 250–1000-sweep read above the temperatures where the cut forms; ×10 reached G2 and G11's
     * best-known values, which ×1 did not, and brought G14/G15 from 0.33–0.39 % to 0.23 % short.
     * Noisy (load average 6–12 during the runs), so the factor is an order of magnitude, not an
     * optimum.
     */
    static final double HOT_BETA_FACTOR = 10;

    /** Kiln's β schedule for {@code q}: neal's range with the hot end {@link #HOT_BETA_FACTOR} times colder. */
    static AnnealSchedule scheduleFor(QuboProblem q) {
        AnnealSchedule neal = AnnealSchedule.defaultFor(q);
        return new AnnealSchedule(Math.min(neal.coldBeta(), neal.hotBeta() * HOT_BETA_FACTOR), neal.coldBeta());
    }

    /**
     * Whether reads end in a tabu search ({@link TabuSearch}): when the couplings are not all of
     * one magnitude. Measured at equal wall time ({@code ./kiln bench qubo}, 1 s, 2 cores; the
     * issue-6 section of docs/ARCHITECTURE.md): on the Beasley instances (weights −100..100)
     * short anneals polished by tabu search reach the best-known value 5–80× sooner than
     * 1000-sweep anneals; on the unit-weight G-set graphs and the MIS instances (every coupling
     * the same) the one-flip search spends its O(n) scans wandering plateaus of equal ΔE and
     * lost to annealing alone on every instance tried (G1–G43), so there it is off.
     */
    public static boolean polishesWithTabu(QuboProblem q) {
        double[] b = q.coupling();
        double first = -1;
        for (double v : b) {
            if (v == 0) continue;
            double m = Math.abs(v);
            if (first < 0) first = m;
            else if (m != first) return true;
        }
        return false;
    }

    /** Sweeps of the anneal that precedes a tabu search: a short quench to a good start (set on bqp50–500, see {@link #polishesWithTabu}). */
    static final int TABU_ANNEAL_SWEEPS = 100;

    /**
     * Tabu search's stopping rule, iterations without a new best per variable (Lü et al.'s
     * improvement cutoff, which they too scale with n); 10·n set on bqp50–500, where 2·n
     * to 10·n all reached the best-known values and 10·n was the least variable.
     */
    static final long TABU_STALE_PER_VARIABLE = 10;

    static long tabuStale(QuboProblem q) { return polishesWithTabu(q) ? TABU_STALE_PER_VARIABLE * q.n() : 0; }

    /** Separates the tabu search's random stream from its read's anneal (any odd constant would do). */
    private static final long TABU_SEED_SALT = 0x7ABE_5EED_0DD5_EED1L;

    /**
     * Fewest sweeps a time-limited read is given: a quarter of neal's default. Measured on
     * G1 and G14 ({@code ./kiln bench qubo}), reads much shorter than this end percent-level
     * worse, which more reads do not make up for.
     */
    static final int MIN_SWEEPS = 250;

    /** The best found so far, shared by the workers (updated once per read: cheap to lock). */
    private static final class Shared {
        private final byte[] best;
        private final long start;
        private double bestEnergy = Double.POSITIVE_INFINITY;
        /** Lowest energy in {@link #improvements}: offered by a finished read or noted by a running search. */
        private double timelineEnergy = Double.POSITIVE_INFINITY;
        private long bestRead = -1;
        private long reads;
        private long sweeps;
        private long nanosToTarget = -1;
        private String stoppedBy;
        private final List<long[]> improvements = new ArrayList<>();

        Shared(int n, long start) {
            this.best = new byte[n];
            this.start = start;
        }

        synchronized void offer(double energy, byte[] x, long read, int sweepsDone) {
            reads++;
            sweeps += sweepsDone;
            if (energy < bestEnergy || energy == bestEnergy && read < bestRead) {
                note(energy);
                bestEnergy = energy;
                bestRead = read;
                System.arraycopy(x, 0, best, 0, best.length);
            }
        }

        /** A new best energy seen now (its state comes later, through {@link #offer}). */
        synchronized void note(double energy) {
            if (energy < timelineEnergy) {
                timelineEnergy = energy;
                improvements.add(new long[] {System.nanoTime() - start, Double.doubleToLongBits(energy)});
            }
        }

        synchronized void reachTarget(AtomicBoolean stop) {
            if (nanosToTarget < 0) nanosToTarget = System.nanoTime() - start;
            stop("target", stop);
        }

        synchronized void stop(String why, AtomicBoolean stop) {
            if (stoppedBy == null) stoppedBy = why;
            stop.set(true);
        }

        /** Copies the best state into {@code into}; false while no read has finished. */
        synchronized boolean copyBest(byte[] into) {
            if (bestRead < 0) return false;
            System.arraycopy(best, 0, into, 0, best.length);
            return true;
        }

        synchronized long reads() { return reads; }

        synchronized double bestEnergy() { return bestEnergy; }

        synchronized QuboRun result(long nanos) {
            return new QuboRun(bestEnergy, best.clone(), bestRead, reads, sweeps, nanosToTarget, nanos, List.copyOf(improvements),
                    stoppedBy == null ? "reads" : stoppedBy);
        }
    }
}
