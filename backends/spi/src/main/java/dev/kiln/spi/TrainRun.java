package dev.kiln.spi;

import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.ConjugateGradientDirection;
import dev.kiln.solvers.train.EpochRecord;
import dev.kiln.solvers.train.Trainer;
import dev.kiln.solvers.train.TrainingReport;
import dev.kiln.solvers.train.UpdateRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a train job's loop for any backend and turns the run into a {@link SolveOutcome}, so
 * every backend reports training the same way: progress per step (iteration = step,
 * residual = batch loss), the stop checks of {@link Cancellation}, and the answer fields
 * {@code trainLoss, trainAccuracy, testLoss, testAccuracy, epochs, steps, parameters,
 * history} (one map per epoch, epoch 0 = the initial parameters) and {@code weights} when
 * asked. {@code converged} is true when every epoch ran; {@code residualNorm} is the final
 * training loss.
 */
public final class TrainRun {
    private TrainRun() { }

    /** The update rule of a digital optimiser (sgd, adam, ngd), from the job's options. */
    public static UpdateRule digitalRule(TrainOptions o) {
        double lr = o.learningRateOrDefault();
        return switch (o.optimizer()) {
            case SGD -> UpdateRule.sgd(lr, o.momentum());
            case ADAM -> UpdateRule.adam(lr, o.beta1(), o.beta2(), o.epsilon());
            case NGD -> UpdateRule.naturalGradient(new ConjugateGradientDirection(o.cgTolerance(), o.cgMaxIterations()),
                    o.damping(), UpdateRule.sgd(lr, o.momentum()));
            case TNGD, TNGD_ADAM -> throw new IllegalArgumentException(o.optimizer().wireName() + " needs a thermodynamic device");
        };
    }

    /** Trains with {@code rule} and reports; {@code method} and {@code parameters} go into the outcome as they are. */
    public static SolveOutcome run(Job job, UpdateRule rule, String method, Map<String, Object> parameters,
                                   ProgressSink progress, Cancellation cancellation) {
        TrainProblem p = (TrainProblem) job.problem();
        TrainOptions o = job.options().kind(TrainOptions.class);
        TrainingReport r = Trainer.train(p, o.epochs(), o.batchSize(), job.options().seed(), rule, null,
                (step, loss) -> {
                    progress.report(step, loss);
                    return !cancellation.shouldStop();
                });
        EpochRecord last = r.last();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("trainLoss", last.trainLoss());
        answer.put("trainAccuracy", last.trainAccuracy());
        answer.put("testLoss", last.testLoss());
        answer.put("testAccuracy", last.testAccuracy());
        answer.put("epochs", last.epoch());
        answer.put("steps", r.steps());
        answer.put("parameters", p.size());
        List<Map<String, Object>> history = new ArrayList<>();
        for (EpochRecord e : r.history()) history.add(e.toMap());
        answer.put("history", history);
        if (o.returnWeights()) answer.put("weights", r.theta());
        JobError error = null;
        if (r.diverged()) {
            error = new JobError(ErrorCode.DIVERGED, "the training loss became non-finite after step " + r.steps()
                    + "; lower options.learningRate (was " + o.learningRateOrDefault() + ")");
        } else if (!r.completed()) {
            error = cancellation.cancelled()
                    ? new JobError(ErrorCode.CANCELLED, "cancelled at step " + r.steps())
                    : new JobError(ErrorCode.DEADLINE_EXCEEDED, "deadline passed at step " + r.steps());
        }
        double hw = r.hardwareSeconds() > 0 ? r.hardwareSeconds() : Double.NaN;
        double joules = r.energyJoules() > 0 ? r.energyJoules() : Double.NaN;
        return new SolveOutcome(method, parameters, r.steps(), last.trainLoss(), r.completed() && error == null, null,
                error, hw, joules, answer);
    }
}
