package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarliestFinishRouterTest {
    static final Features F = features(10_000);

    static Features features(long work) {
        return new Features(0, work, 1, 0, Precision.FP64);
    }

    static Job job(Objective objective) {
        Job j = CalibrationJobs.linearJob("j", 4);
        return new Job(j.id(), j.kind(), null, null, j.problem(),
                new JobOptions(JobOptions.AUTO, objective, 0, 1, j.options().linear()));
    }

    static void teach(CostModel m, String backend, double ms, double joules, int times) {
        for (int i = 0; i < times; i++) {
            for (long w = 5_000; w <= 20_000; w *= 2) m.observe(backend, JobKind.LINEAR, features(w), ms, joules);
        }
    }

    /** A router without exploration over a model taught "fast" at 10 ms and "slow" at 30 ms a job. */
    static EarliestFinishRouter fastAndSlow() {
        CostModel m = new CostModel();
        teach(m, "fast", 10, Double.NaN, 5);
        teach(m, "slow", 30, Double.NaN, 5);
        return new EarliestFinishRouter(m, 0, 0, 1);
    }

    static Router.Candidate cand(String id, int queued, int running) {
        return new Router.Candidate(id, queued, running, 1, F);
    }

    @Test
    void placesOnTheBackendThatFinishesFirstCountingTheWorkAlreadyQueued() {
        EarliestFinishRouter r = fastAndSlow();
        Job j = job(Objective.LATENCY);
        // Idle: fast finishes at 10, slow at 30.
        assertEquals("fast", r.route(j, List.of(cand("fast", 0, 0), cand("slow", 0, 0))).chosen());
        // fast busy with the first (10 booked): 10 + 10 = 20 < 30.
        assertEquals("fast", r.route(j, List.of(cand("fast", 0, 1), cand("slow", 0, 0))).chosen());
        // A third job asked for fast explicitly (its only candidate): 30 booked.
        assertEquals("fast", r.route(j, List.of(cand("fast", 1, 1))).chosen());
        // 30 booked: 30 + 10 = 40 > 30: the slow backend now finishes first.
        RoutingDecision d = r.route(j, List.of(cand("fast", 2, 1), cand("slow", 0, 0)));
        assertEquals("slow", d.chosen());
        assertFalse(d.explored());
        assertEquals(30, d.predictedMs(), 0.5);
        assertEquals(30, r.outstandingMs("fast"), 1.0);
    }

    @Test
    void completedJobsReleaseTheirBookedWork() {
        CostModel m = new CostModel();
        teach(m, "fast", 10, Double.NaN, 5);
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0, 0, 1);
        RoutingDecision a = r.route(job(Objective.LATENCY), List.of(cand("fast", 0, 0)));
        RoutingDecision b = r.route(job(Objective.LATENCY), List.of(cand("fast", 0, 1)));
        assertEquals(20, r.outstandingMs("fast"), 1.0);
        r.completed(a, null);
        r.completed(b, null);
        assertEquals(0, r.outstandingMs("fast"), 1e-9);
    }

    @Test
    void triesABackendItHasNoModelForWithinTheBudget() {
        CostModel m = new CostModel();
        teach(m, "known", 10, Double.NaN, 5);
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0, 1, 1);
        RoutingDecision d = r.route(job(Objective.LATENCY), List.of(cand("known", 0, 0), cand("new", 0, 0)));
        assertEquals("new", d.chosen());
        assertTrue(d.explored());
        assertTrue(Double.isNaN(d.candidates().get(1).predictedMs()), "no prediction is invented for an untried backend");
        // Budget of one spent: the next decision is greedy.
        RoutingDecision e = r.route(job(Objective.LATENCY), List.of(cand("known", 0, 0), cand("new", 0, 0)));
        assertEquals("known", e.chosen());
        assertFalse(e.explored());
    }

    @Test
    void explorationNeverExceedsItsBound() {
        CostModel m = new CostModel();
        // Two backends the model is unsure about (few, noisy samples): Thompson draws flip often.
        Random noise = new Random(5);
        for (int i = 0; i < 4; i++) {
            m.observe("a", JobKind.LINEAR, features(5_000L << i), 10 * Math.exp(noise.nextGaussian()), Double.NaN);
            m.observe("b", JobKind.LINEAR, features(5_000L << i), 11 * Math.exp(noise.nextGaussian()), Double.NaN);
        }
        double rate = 0.05;
        long burst = 3;
        EarliestFinishRouter r = new EarliestFinishRouter(m, rate, burst, 7);
        int explored = 0;
        for (int i = 1; i <= 2_000; i++) {
            RoutingDecision d = r.route(job(Objective.LATENCY), List.of(cand("a", 0, 0), cand("b", 0, 0)));
            r.completed(d, null);
            if (d.explored()) explored++;
            assertTrue(explored <= burst + rate * i, "explored " + explored + " of " + i);
        }
        assertTrue(explored > burst, "Thompson sampling did explore uncertain backends (" + explored + ")");
        assertEquals(explored, r.explorations());
    }

    /**
     * Sampled explorations land only on jobs no larger than the (geometric) mean greedy choice: two backends
     * the model is unsure of (four noisy samples each, nothing learned after), jobs of 10³ and
     * 10⁵ units of work alternating, the budget never binding (rate 1). A draw on a large job
     * costs what the drawn backend really takes, and a prediction can be off by a factor (one
     * such draw cost 124 ms where 10 were predicted in the bench). The noise is e^N(0, ½): with
     * e^N(0, 1), since round 6 (one run faster than its fit corrects its bucket and the next in
     * full) a lucky last taught run put "a"'s 10⁵ jobs below its 10³ ones, and every draw went to
     * them — by the rule, which is on predictions (the router knows no other size).
     */
    @Test
    void sampledExplorationsLandOnlyOnJobsNoLargerThanTheMeanGreedyChoice() {
        CostModel m = new CostModel();
        Random noise = new Random(5);
        for (int i = 0; i < 4; i++) {
            m.observe("a", JobKind.LINEAR, features(1_000L << (2 * i)), 10 * Math.exp(0.5 * noise.nextGaussian()), Double.NaN);
            m.observe("b", JobKind.LINEAR, features(1_000L << (2 * i)), 11 * Math.exp(0.5 * noise.nextGaussian()), Double.NaN);
        }
        EarliestFinishRouter r = new EarliestFinishRouter(m, 1.0, 0, 9);
        int small = 0;
        for (int i = 0; i < 1_000; i++) {
            Features f = features(i % 2 == 0 ? 1_000 : 100_000);
            RoutingDecision d = r.route(job(Objective.LATENCY),
                    List.of(new Router.Candidate("a", 0, 0, 1, f), new Router.Candidate("b", 0, 0, 1, f)));
            r.completed(d, null);
            if (d.explored()) {
                assertEquals(1_000, f.nnz(), "explored on a large job, decision " + i);
                small++;
            }
        }
        assertTrue(small > 10, "the small jobs are explored on (" + small + ")");
    }

    /**
     * A busy backend's booked work counts at what its recent runs really took: "fast" is
     * predicted at 10 ms but its last runs took 3× their bookings (its cores shared, say).
     * With one job on it, the uncorrected wait (booking + own prediction ≈ 2 × 10 ms) beats
     * "slow" at 30; the corrected (3 × booking + own) does not.
     */
    @Test
    void aBusyBackendsBookedWorkIsScaledByHowItsRecentRunsCompared() {
        EarliestFinishRouter r = fastAndSlow();
        Job j = job(Objective.LATENCY);
        assertEquals(1.0, r.bookingFactor("fast"), 0);
        // The slow runs are of another family, so the model's own corrections for j's family
        // (family fit, size-bucket residuals) do not catch up and only the booking factor moves.
        Job contended = new Job("c", JobKind.LINEAR, "contended", null, j.problem(), j.options());
        for (int i = 0; i < BookingCorrection.MIN_RUNS; i++) {
            RoutingDecision d = r.route(contended, List.of(cand("fast", 0, 0)));
            r.observe(d, JobKind.LINEAR, 3 * d.reservedMs(), Double.NaN, -1, true);
            r.completed(d, null);
        }
        assertEquals(3.0, r.bookingFactor("fast"), 1e-9);
        RoutingDecision running = r.route(j, List.of(cand("fast", 0, 0)));
        double pf = running.predictedMs();
        assertTrue(2 * pf < 30 && 4 * pf > 30, "premise: uncorrected fast first, corrected slow first (fast predicted " + pf + ")");
        RoutingDecision d = r.route(j, List.of(cand("fast", 0, 1), cand("slow", 0, 0)));
        assertEquals("slow", d.chosen());
        assertFalse(d.explored());
        r.completed(running, null);
        r.completed(d, null);
        assertEquals("fast", r.route(j, List.of(cand("fast", 0, 0), cand("slow", 0, 0))).chosen(), "idle: no wait to correct");
    }

    @Test
    void energyObjectivePicksTheLowestPredictedEnergyEvenWhenSlower() {
        CostModel m = new CostModel();
        teach(m, "quick-hungry", 10, 5.0, 5);
        teach(m, "slow-frugal", 40, 0.5, 5);
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0, 0, 1);
        List<Router.Candidate> cs = List.of(cand("quick-hungry", 0, 0), cand("slow-frugal", 0, 0));
        assertEquals("slow-frugal", r.route(job(Objective.ENERGY), cs).chosen());
        assertEquals("quick-hungry", r.route(job(Objective.LATENCY), cs).chosen());
    }

    @Test
    void anExplicitBackendIsTheOnlyCandidateAndIsHonoured() {
        CostModel m = new CostModel();
        teach(m, "slow", 30, Double.NaN, 5);
        EarliestFinishRouter r = new EarliestFinishRouter(m, 1, 100, 1);
        RoutingDecision d = r.route(job(Objective.LATENCY), List.of(cand("slow", 50, 1)));
        assertEquals("slow", d.chosen());
        assertFalse(d.explored());
    }

    /**
     * A synthetic two-backend world with crossing cost curves (a: 0.5·√w ms, like a device with
     * a launch cost and high throughput; b: 0.002·w ms, a host core), 5 % log-normal noise. After
     * calibration the router, fed each job's outcome, picks the oracle's backend whenever the
     * two differ by more than the noise can explain.
     */
    @Test
    void picksTheOraclesChoiceOnASyntheticTwoBackendWorldOnceCalibrated() {
        CostModel m = new CostModel();
        Random rnd = new Random(11);
        for (long w = 1_000; w <= 4_000_000; w *= 4) {
            for (int rep = 0; rep < 2; rep++) {
                m.observe("a", JobKind.LINEAR, features(w), timeA(w) * Math.exp(0.05 * rnd.nextGaussian()), Double.NaN);
                m.observe("b", JobKind.LINEAR, features(w), timeB(w) * Math.exp(0.05 * rnd.nextGaussian()), Double.NaN);
            }
        }
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0.05, 0, 3);
        int clear = 0;
        int agreed = 0;
        double routed = 0;
        double oracle = 0;
        for (int i = 0; i < 500; i++) {
            long w = (long) Math.exp(Math.log(1_000) + rnd.nextDouble() * Math.log(4_000)); // 10³ … 4·10⁶
            Features f = features(w);
            RoutingDecision d = r.route(job(Objective.LATENCY),
                    List.of(new Router.Candidate("a", 0, 0, 1, f), new Router.Candidate("b", 0, 0, 1, f)));
            double ta = timeA(w) * Math.exp(0.05 * rnd.nextGaussian());
            double tb = timeB(w) * Math.exp(0.05 * rnd.nextGaussian());
            double t = d.chosen().equals("a") ? ta : tb;
            r.observe(d, JobKind.LINEAR, t, Double.NaN, -1, true);
            r.completed(d, null);
            routed += t;
            oracle += Math.min(timeA(w), timeB(w));
            String best = timeA(w) < timeB(w) ? "a" : "b";
            if (Math.abs(Math.log(timeA(w) / timeB(w))) > 0.2 && !d.explored()) {
                clear++;
                if (d.chosen().equals(best)) agreed++;
            }
        }
        assertEquals(clear, agreed, "greedy choices where the oracle is clear");
        assertTrue(routed / oracle - 1 < 0.10, "regret " + (routed / oracle - 1));
    }

    /**
     * The bench's burst case without the clock: calibrated on unnamed 2-D Poisson systems
     * (as {@link Calibration} does), then a burst of a named family no backend has counts for,
     * all routed before any finishes, sides up to 160 (beyond the calibration's 64).
     * "launch" = base + 3 ms, "half" = 2 × base, base ∝ the work CG does. Beyond the calibrated
     * sizes the power law (leading after four samples) grew in proportion from the edge, launch
     * cost included: "launch" looked up to 2.5× slower than it is, the large jobs went to
     * "half", and the split finished 16 % later than round-robin's (557 vs 482 ms). Now within
     * 10 % of the same greedy rule on the true times.
     */
    @Test
    void aBurstOfAFamilyWithoutCountsIsSplitNoWorseThanRoundRobin() {
        CostModel m = new CostModel();
        for (long side : CalibrationJobs.LINEAR_SIDES) { // one learned run per size, as Calibration (its first run is not learned)
            long n = side * side;
            Features f = IterationModelTest.poisson2d(n);
            m.observe("launch", JobKind.LINEAR, null, f, IterationModelTest.cg2d(n), launchMs(n), Double.NaN);
            m.observe("half", JobKind.LINEAR, null, f, IterationModelTest.cg2d(n), 2 * baseMs(n), Double.NaN);
        }
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0, 0, 1);
        Random rnd = new Random(42);
        Job named = new Job("burst", JobKind.LINEAR, "poisson2d", null, job(Objective.LATENCY).problem(), job(Objective.LATENCY).options());
        int[] queued = new int[2];
        double[] learned = new double[2];
        double[] roundRobin = new double[2];
        double[] exact = new double[2];
        for (int i = 0; i < 150; i++) {
            long side = Math.round(Math.exp(Math.log(8) + rnd.nextDouble() * Math.log(160 / 8.0)));
            long n = side * side;
            Features f = IterationModelTest.poisson2d(n);
            double[] t = {launchMs(n), 2 * baseMs(n)};
            RoutingDecision d = r.route(named, List.of(new Router.Candidate("launch", queued[0], 0, 1, f),
                    new Router.Candidate("half", queued[1], 0, 1, f)));
            int b = d.chosen().equals("launch") ? 0 : 1;
            queued[b]++;
            learned[b] += t[b];
            roundRobin[i % 2] += t[i % 2];
            int o = exact[0] + t[0] <= exact[1] + t[1] ? 0 : 1; // the same greedy rule with the true times
            exact[o] += t[o];
        }
        double makespan = Math.max(learned[0], learned[1]);
        double rr = Math.max(roundRobin[0], roundRobin[1]);
        double best = Math.max(exact[0], exact[1]);
        String msg = "learned split " + java.util.Arrays.toString(learned) + ", round-robin " + java.util.Arrays.toString(roundRobin)
                + ", greedy on the true times " + java.util.Arrays.toString(exact);
        assertTrue(makespan <= rr, msg);
        assertTrue(makespan <= 1.1 * best, msg);
    }

    /**
     * The bench's world in miniature, where one curve per backend cannot follow the time: two
     * families, "p3" (every fourth job; 7-point rows, n^⅓ iterations) costing 3× per unit of
     * work what "p2" (5-point rows, √n iterations) costs, as a 3-D stencil against a 2-D one,
     * and a cache cliff: 3× per unit of work above a footprint (n + nnz) of {@link #CLIFF}.
     * "launch" = base + 3 ms, "half" = 2 × base; 5 % log-normal noise and, as on the loaded
     * machine, one run in ten slowed 1–4×; cold start, default exploration, each job's outcome
     * learned. "half" gets the small jobs, so its fit never sees the cliff, and large p3 jobs
     * went to it at 0.9× "launch"'s prediction where they take 2× (as seed 5 of the bench did).
     * Regret after 100 jobs over seeds 1–8, measured here by switching the parts off in turn
     * (a throwaway sweep of this world): backend-wide fits with size-bucket residuals mean 21.6 %,
     * max 43.5 %; with per-family fits as well 3.1 %, max 5.6 %; without the cliff 2.0 and 0.7 %.
     * Without either part one seed was 28 %.
     */
    @Test
    void picksTheOraclesChoiceWhereTheTimePerUnitOfWorkDependsOnTheFamily() {
        for (long seed = 1; seed <= 8; seed++) {
            double regret = familyWorldRegret(seed);
            assertTrue(regret < 0.10, "seed " + seed + ": regret after 100 jobs " + regret);
        }
    }

    /** One cold-started run of 600 jobs in the world above; the regret over jobs 100… (a fraction). */
    static double familyWorldRegret(long seed) {
        CostModel m = new CostModel();
        EarliestFinishRouter r = new EarliestFinishRouter(m, 0.05, 10, 3);
        Random rnd = new Random(seed);
        double routedWarm = 0;
        double oracleWarm = 0;
        for (int i = 0; i < 600; i++) {
            boolean p3 = i % 4 == 3;
            long n = Math.round(Math.exp(Math.log(64) + rnd.nextDouble() * Math.log((p3 ? 100_000 : 10_000) / 64.0)));
            long nnz = (p3 ? 7 : 5) * n;
            long iterations = Math.round(p3 ? 3 * Math.cbrt(n) : 2 * Math.sqrt(n));
            double base = (p3 ? 6e-6 : 2e-6) * (n + nnz) * iterations * (n + nnz > CLIFF ? 3 : 1);
            double[] t = {3 + base, 2 * base};
            Features f = new Features(n, nnz, n, 0, Precision.FP64);
            Job j = new Job("j" + i, JobKind.LINEAR, p3 ? "p3" : "p2", null, job(Objective.LATENCY).problem(), job(Objective.LATENCY).options());
            RoutingDecision d = r.route(j, List.of(new Router.Candidate("launch", 0, 0, 1, f), new Router.Candidate("half", 0, 0, 1, f)));
            int b = d.chosen().equals("launch") ? 0 : 1;
            double slowed = rnd.nextDouble() < 0.1 ? 1 + 3 * rnd.nextDouble() : 1;
            r.observe(d, JobKind.LINEAR, slowed * t[b] * Math.exp(0.05 * rnd.nextGaussian()), Double.NaN, iterations, true);
            r.completed(d, null);
            if (i < 100) continue;
            routedWarm += t[b];
            oracleWarm += Math.min(t[0], t[1]);
        }
        return routedWarm / oracleWarm - 1;
    }

    /** Footprint (n + nnz) above which the world's base solve costs 3× per unit of work. */
    static final long CLIFF = 30_000;

    /** Base solve: 4·10⁻⁷ ms per unit of CG work, (n + nnz) × iterations: 2 ms at 64², as the bench's CPU backend. */
    static double baseMs(long n) { return 4e-7 * 6 * n * IterationModelTest.cg2d(n); }

    static double launchMs(long n) { return 3 + baseMs(n); }

    static double timeA(long w) { return 0.5 * Math.sqrt(w); }

    static double timeB(long w) { return 0.002 * w; }

    /**
     * Late binding: a job waiting on "slow" behind booked work moves to an idle "fast" only when
     * fast, starting now, finishes it before slow's booked work drains; the move books it on fast
     * and says where it came from. Hand-computed: fast predicts 10 ms, slow 30 ms a job.
     */
    @Test
    void movesAWaitingJobToAnIdleBackendOnlyWhenItFinishesSoonerThere() {
        EarliestFinishRouter r = fastAndSlow();
        Job j = job(Objective.LATENCY);
        RoutingDecision onSlow = r.route(j, List.of(cand("slow", 0, 0)));
        assertEquals(30, r.outstandingMs("slow"), 0.5);
        // slow's 30 booked against fast's 10 starting now: move.
        RoutingDecision moved = r.move(j, onSlow, cand("slow", 1, 0), cand("fast", 0, 0)).orElseThrow();
        assertEquals("fast", moved.chosen());
        assertEquals("slow", moved.movedFrom());
        assertEquals("slow", moved.toRouting().movedFrom());
        assertEquals(10, moved.reservedMs(), 0.5);
        assertEquals(10, r.outstandingMs("fast"), 0.5);
        assertEquals(1, r.moves());
        r.completed(onSlow, null);
        r.completed(moved, null);
        // Nothing booked on fast's side of the comparison the other way: fast's 10 never beats slow's 30.
        RoutingDecision onFast = r.route(j, List.of(cand("fast", 0, 0)));
        assertTrue(r.move(j, onFast, cand("fast", 1, 0), cand("slow", 0, 0)).isEmpty());
        assertEquals(0, r.outstandingMs("slow"), 1e-9, "a refused move books nothing");
        r.completed(onFast, null);
    }

    @Test
    void neverMovesToABackendWithoutAModelNorAnEnergyJob() {
        EarliestFinishRouter r = fastAndSlow();
        RoutingDecision onSlow = r.route(job(Objective.LATENCY), List.of(cand("slow", 0, 0)));
        assertTrue(r.move(job(Objective.LATENCY), onSlow, cand("slow", 1, 0), cand("untried", 0, 0)).isEmpty(),
                "an untried backend is exploration's business");
        RoutingDecision energy = r.route(job(Objective.ENERGY), List.of(cand("slow", 0, 0)));
        assertTrue(r.move(job(Objective.ENERGY), energy, cand("slow", 2, 0), cand("fast", 0, 0)).isEmpty(),
                "an energy job's choice is not about time");
        assertEquals(0, r.moves());
    }
}
