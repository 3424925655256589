package dev.kiln.runtime.routing;

import dev.kiln.spi.JobKind;

import java.util.List;

/**
 * What {@link Calibration} runs for one job kind: its jobs, smallest first, and the wall-clock
 * budget each backend gets for them.
 *
 * @param kind        the kind every job is of
 * @param jobs        the calibration jobs, smallest first (the budget cuts the largest)
 * @param budgetNanos wall-clock time per backend for this kind; past it the running job is
 *                    stopped through its deadline and the rest are skipped
 */
public record CalibrationPlan(JobKind kind, List<CalibrationJobs.Sized> jobs, long budgetNanos) {
    public CalibrationPlan {
        if (kind == null) throw new IllegalArgumentException("a calibration plan needs a kind");
        jobs = List.copyOf(jobs);
        for (CalibrationJobs.Sized s : jobs) {
            if (s.job().kind() != kind) throw new IllegalArgumentException("calibration job " + s.job().id() + " is not a " + kind.wireName() + " job");
        }
        if (budgetNanos <= 0) throw new IllegalArgumentException("calibration budget must be > 0 ns, was " + budgetNanos);
    }
}
