package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The thermodynamic linear solve (Aifer et al., "Thermodynamic linear algebra", 2024, §3):
 * program Â = A/s_A and b̂ = r/s_r (quantised to the device's bits), let the device relax,
 * time-average x after a burn-in, read the average out. One device run gives a few digits
 * (noise, quantisation, finite time); to reach a client's tolerance the digital side wraps the
 * device in iterative refinement (Wilkinson 1963; the analog-accelerator form of Zuo et al.,
 * Nature Electronics 2025, and mixed-precision refinement, Higham, "Accuracy and Stability of
 * Numerical Algorithms", §12.1): r = b − A·x in fp64, the device solves A·d ≈ r, x ← x + d.
 * Every digit of the answer is a device output; the digital side never solves. Each round is an
 * "iteration"; the reported residual is the true fp64 residual of the returned x.
 *
 * <p>Analog time per round: burn-in 5/λ_min (transient e^−5 ≈ 0.7 %) plus averaging 5/λ_min,
 * λ_min of Â estimated digitally by Lanczos (or exactly for the small, diagonalised devices).
 */
final class ThermodynamicLinearSolver {
    /** Largest system the simulated device takes. ASSUMPTION: a 65 536-cell device (the SPU prototype of Melanson et al. 2023 had 8 cells); larger is refused. */
    static final int MAX_UNKNOWNS = 65_536;
    /** Up to this size the device is diagonalised once and simulated with exact OU transitions. */
    static final int EXACT_LIMIT = 128;
    /** Tolerances below this are refused: fp64 refinement cannot certify them (residual rounding ≈ n·ε·‖A‖‖x‖). */
    static final double MIN_TOLERANCE = 1e-12;
    /** Burn-in and averaging per round, in relaxation times 1/λ_min. */
    static final double BURN_IN_RELAXATIONS = 5, AVERAGING_RELAXATIONS = 5;
    /** Batches for the batch-means standard error (Flegal & Jones 2010 use 20–30). */
    static final int BATCHES = 20;
    /** EM step as a fraction of 1/λ_max (the TNGD paper's h = 0.1τ at unit scale, §5). */
    static final double STEP_FRACTION = 0.1;
    /** Simulator budget per refinement round in multiply-adds (≈ 1–3 s of one core): larger jobs are refused, not left to run for hours. */
    static final double MAX_WORK_PER_ROUND = 3e9;
    /** Lanczos steps for the spectrum estimate. */
    static final int LANCZOS_STEPS = 40;

    Support supports(Job job, DeviceModel device) {
        if (!(job.problem() instanceof LinearProblem p)) return Support.no(ErrorCode.INVALID_PROBLEM, "a linear job must carry a linear problem");
        LinearOptions o = job.options().linear();
        if (o.method() != LinearMethod.AUTO) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.method: " + o.method().wireName()
                    + " — the thermodynamic device solves by relaxation, not by a named Krylov or stationary method; use method auto");
        }
        if (o.precision() != Precision.FP64) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.precision: the thermodynamic backend refines in fp64 only");
        }
        if (p.size() > MAX_UNKNOWNS) {
            return Support.no(ErrorCode.UNSUPPORTED, p.size() + " unknowns exceed the simulated device's " + MAX_UNKNOWNS + " cells");
        }
        if (o.tolerance() < MIN_TOLERANCE) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.tolerance " + o.tolerance() + " is below " + MIN_TOLERANCE
                    + ", what fp64 residual refinement around the device can certify");
        }
        if (!p.a().isSymmetric(1e-12)) {
            return Support.no(ErrorCode.UNSUPPORTED, "the device's dynamics relax to A⁻¹b only for symmetric positive definite A; this matrix is not symmetric");
        }
        for (double d : p.a().diagonal()) {
            if (!(d > 0)) return Support.no(ErrorCode.UNSUPPORTED, "the matrix has a diagonal entry ≤ 0, so it is not SPD and the device's dynamics would not settle");
        }
        ProgrammedMatrix pm = ProgrammedMatrix.of(p.a(), device.bits(), job.options().seed());
        if (!pm.refinable()) {
            return Support.no(ErrorCode.UNSUPPORTED, "at " + device.bits() + " bits the programmed matrix is off by " + pm.quantisationError()
                    + " (max row sum, in units of max|a_ij|) against a smallest eigenvalue of about " + pm.lambdaMin()
                    + ": too ill-conditioned for this device to converge even with refinement (needs quantisation error < λ_min/4)");
        }
        double stepsPerRound = (BURN_IN_RELAXATIONS + AVERAGING_RELAXATIONS) / pm.lambdaMin() / (STEP_FRACTION / pm.lambdaMax());
        if (stepsPerRound * Math.max(p.a().nnz(), p.size()) > MAX_WORK_PER_ROUND) {
            return Support.no(ErrorCode.UNSUPPORTED, "one device run needs about " + (long) stepsPerRound + " simulated steps (condition ≈ "
                    + (long) (pm.lambdaMax() / pm.lambdaMin()) + "); over the simulator's budget of " + (long) MAX_WORK_PER_ROUND
                    + " multiply-adds per round");
        }
        return Support.YES;
    }

    Features features(Job job) {
        LinearProblem p = (LinearProblem) job.problem();
        // Each round cuts the error by about e^−5 (burn-in) → rounds ≈ ln(1/tol)/5.
        double rounds = Math.min(job.options().linear().maxIterations(), Math.ceil(Math.log(1 / job.options().linear().tolerance()) / 5));
        return new Features(p.size(), p.a().nnz(), rounds, (long) p.a().nnz() * 8, Precision.FP64);
    }

    SolveOutcome solve(Job job, DeviceModel device, ProgressSink progress, Cancellation cancellation) {
        LinearProblem p = (LinearProblem) job.problem();
        LinearOptions o = job.options().linear();
        CsrMatrix a = p.a();
        int n = p.size();
        Quantizer quant = new Quantizer(device.bits());

        ProgrammedMatrix pm = ProgrammedMatrix.of(a, device.bits(), job.options().seed());
        double sA = pm.scale(), lmin = pm.lambdaMin(), lmax = pm.lambdaMax();
        OrnsteinUhlenbeckDevice ou = !pm.positiveDefinite() ? null : pm.dense() != null
                ? OrnsteinUhlenbeckDevice.exact(pm.dense(), device.noise(), STEP_FRACTION / lmax)
                : OrnsteinUhlenbeckDevice.eulerMaruyama(pm.device()::multiply, n, device.noise(), STEP_FRACTION / lmax);
        if (ou == null) {
            return failed(p, ErrorCode.NOT_SPD, "the programmed matrix has an eigenvalue ≤ 0 (estimate " + lmin
                    + "): the device's dynamics would grow without bound, so A is not SPD (or not at " + device.bits() + "-bit precision)");
        }
        double burnIn = BURN_IN_RELAXATIONS / lmin, averaging = AVERAGING_RELAXATIONS / lmin;

        SplittableRandom rnd = new SplittableRandom(job.options().seed());
        double[] x = p.x0() == null ? new double[n] : p.x0().clone();
        double[] r = new double[n];
        double bNorm = norm(p.b());
        double rel = residual(a, p.b(), x, r, bNorm);
        DeviceModel.Cost cost = DeviceModel.Cost.ZERO;
        int rounds = 0, slowRounds = 0;
        double errorBar = Double.NaN, predicted = Double.NaN, analogTau = 0;
        long simulatedSteps = 0;
        JobError error = null;
        while (rel > o.tolerance() && rounds < o.maxIterations()) {
            if (cancellation.shouldStop()) {
                error = stopped(cancellation, rounds);
                break;
            }
            double sR = Quantizer.maxAbs(r);
            double[] bHat = new double[n];
            for (int i = 0; i < n; i++) bHat[i] = quant.apply(r[i] / sR);
            OrnsteinUhlenbeckDevice.Estimate est = ou.average(bHat, null, burnIn, averaging, BATCHES, rnd, cancellation::shouldStop);
            simulatedSteps += est.steps();
            if (est.stopped()) {
                error = stopped(cancellation, rounds);
                break;
            }
            if (est.diverged()) {
                error = new JobError(ErrorCode.NOT_SPD, "the device's state grew without bound in round " + (rounds + 1) + ": A is not SPD");
                break;
            }
            // ADC read-out of the average, auto-ranged to its largest entry.
            double[] mean = est.mean();
            double sX = Quantizer.maxAbs(mean);
            double scale = sR / sA;
            for (int i = 0; i < n; i++) x[i] += (sX == 0 ? 0 : quant.apply(mean[i] / sX) * sX) * scale;
            errorBar = est.standardError() * scale;
            predicted = ou.predictedError(averaging) * scale;
            analogTau += burnIn + averaging;
            cost = cost.plus(device.cost(n, (rounds == 0 ? a.nnz() : 0) + n, burnIn + averaging, n));
            rounds++;
            double before = rel;
            rel = residual(a, p.b(), x, r, bNorm);
            progress.report(rounds, rel);
            if (!Double.isFinite(rel)) {
                error = new JobError(ErrorCode.DIVERGED, "the refined solution became non-finite in round " + rounds);
                break;
            }
            slowRounds = rel > 0.9 * before ? slowRounds + 1 : 0;
            if (slowRounds >= 3) {
                error = new JobError(ErrorCode.NOT_CONVERGED, "stagnated after " + rounds + " refinement rounds at relative residual " + rel
                        + ": the device's " + device.bits() + "-bit precision is too coarse for this matrix's conditioning (try options on a "
                        + "digital backend)");
                break;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("errorBar", errorBar);
        if (!Double.isNaN(predicted)) answer.put("predictedError", predicted);
        answer.put("refinementRounds", rounds);
        answer.put("analogTimeTau", analogTau);
        answer.put("integrator", ou.isExact() ? "exact-ou" : "euler-maruyama");
        answer.put("stepTau", ou.step());
        answer.put("simulatedSteps", simulatedSteps);
        answer.put("bits", device.bits());
        answer.put("noise", device.noise());
        answer.put("energyJoulesLow", cost.joulesLow());
        answer.put("energyJoulesHigh", cost.joulesHigh());
        answer.put("energyAssumption", DeviceModel.ENERGY_ASSUMPTION);
        Map<String, Object> params = Map.of("bits", device.bits(), "noise", device.noise());
        boolean converged = error == null && rel <= o.tolerance();
        return new SolveOutcome(ou.isExact() ? "thermodynamic-exact+refinement" : "thermodynamic-em+refinement", params, rounds, rel,
                converged, x, error, cost.seconds(), Double.NaN, answer);
    }

    private static JobError stopped(Cancellation c, int rounds) {
        return c.cancelled() ? new JobError(ErrorCode.CANCELLED, "cancelled in refinement round " + (rounds + 1))
                : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed in refinement round " + (rounds + 1));
    }

    /** A refusal found only when running: returns the initial guess and its true residual, as every outcome does. */
    private static SolveOutcome failed(LinearProblem p, ErrorCode code, String message) {
        double[] x = p.x0() == null ? new double[p.size()] : p.x0().clone();
        double rel = residual(p.a(), p.b(), x, new double[p.size()], norm(p.b()));
        return new SolveOutcome("thermodynamic", Map.of(), 0, rel, false, x, new JobError(code, message), Double.NaN, Double.NaN);
    }

    /** r = b − A·x in fp64; returns ‖r‖/‖b‖. */
    private static double residual(CsrMatrix a, double[] b, double[] x, double[] r, double bNorm) {
        a.multiply(x, r);
        for (int i = 0; i < r.length; i++) r[i] = b[i] - r[i];
        double rn = norm(r);
        return bNorm == 0 ? rn : rn / bNorm;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }
}
