package dev.kiln.spi;

import dev.kiln.solvers.problem.Problem;

/**
 * A validated job: everything a backend needs. Immutable.
 *
 * @param id      client idempotency key (or generated)
 * @param kind    job kind; agrees with the problem's type
 * @param family  key grouping related jobs (learning shares it); may be {@code null}
 * @param context numeric features for contextual tuning; may be empty, never {@code null}
 * @param problem the problem, validated
 * @param options options, with defaults filled in
 */
public record Job(String id, JobKind kind, String family, double[] context, Problem problem, JobOptions options) {
    public Job {
        if (context == null) context = new double[0];
    }

    /** This job with other linear options (a tuner's choice); every other field as it was. */
    public Job withLinear(LinearOptions linear) {
        JobOptions o = options;
        return new Job(id, kind, family, context, problem, new JobOptions(o.backend(), o.objective(), o.deadlineMs(), o.seed(), linear));
    }
}
