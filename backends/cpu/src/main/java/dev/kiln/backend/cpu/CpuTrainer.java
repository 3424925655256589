package dev.kiln.backend.cpu;

import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.Precision;
import dev.kiln.spi.ProgressSink;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.Support;
import dev.kiln.spi.TrainOptions;
import dev.kiln.spi.TrainRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Train jobs on the CPU: SGD (momentum), Adam, and NGD whose direction (F + λI)·d = g is
 * solved by matrix-free CG on Gauss–Newton products, in fp64. TNGD needs the analog device
 * and is refused here (the thermodynamic backend runs it).
 *
 * <p>Threads: runs on a runtime worker thread; all state is per job.
 */
final class CpuTrainer {

    Support supports(Job job) {
        if (!(job.problem() instanceof TrainProblem)) {
            return Support.no(ErrorCode.INVALID_PROBLEM, "a train job must carry a train problem");
        }
        TrainOptions o = job.options().kind(TrainOptions.class);
        if (o == null) return Support.no(ErrorCode.INVALID_OPTIONS, "a train job must carry train options");
        if (o.optimizer().thermodynamic()) {
            return Support.no(ErrorCode.UNSUPPORTED, "options.optimizer: " + o.optimizer().wireName()
                    + " needs the analog thermodynamic device; the thermodynamic backend runs it (the cpu backend runs sgd, adam, ngd)");
        }
        return Support.YES;
    }

    /**
     * n = parameters, nnz = batch × parameters, iterations = steps: the cost model's work (n + nnz) ×
     * iterations is then what a step costs (forward and backward over a batch touch every parameter
     * once per example) times the steps. It was rows × features, which grows with the data set, not
     * with the model: a logistic model and a 16-unit MLP on digits got the same work within 1 %
     * (measured with the routing bench's mixed workload, branch mixedkinds, 29 Nov).
     */
    Features features(Job job) {
        TrainProblem p = (TrainProblem) job.problem();
        TrainOptions o = job.options().kind(TrainOptions.class);
        long rows = p.data().train().rows();
        double steps = (double) o.epochs() * Math.ceil((double) rows / o.batchSize());
        return new Features(p.size(), Math.min(o.batchSize(), rows) * (long) p.size(), steps, 0L, Precision.FP64);
    }

    SolveOutcome solve(Job job, ProgressSink progress, Cancellation cancellation) {
        TrainOptions o = job.options().kind(TrainOptions.class);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("learningRate", o.learningRateOrDefault());
        params.put("batchSize", o.batchSize());
        params.put("epochs", o.epochs());
        String method = o.optimizer().wireName();
        if (o.optimizer() == TrainOptions.Optimizer.NGD) {
            method = "ngd+cg";
            params.put("damping", o.damping());
        }
        return TrainRun.run(job, TrainRun.digitalRule(o), method, params, progress, cancellation);
    }
}
