package dev.kiln.runtime.tuning;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Job;
import dev.kiln.spi.SolveOutcome;

import java.util.Map;
import java.util.Optional;

/**
 * Chooses solver parameters for a job from what its family taught so far, and learns from the
 * outcome. The runtime calls {@link #tune} on the worker right before {@code Backend.solve} and
 * {@link #learn} right after, so a tuner sees every job it tuned exactly once.
 *
 * <p>Threads: called concurrently from the lanes' workers; implementations synchronise.
 */
public interface Tuner {
    /** A tuner that changes nothing. */
    Tuner NONE = new Tuner() {
        public Job tune(Job job) { return job; }
        public SolveOutcome learn(Job job, SolveOutcome outcome, long solveNanos) { return outcome; }
        public Optional<Map<String, Object>> describe(String family) { return Optional.empty(); }
        public Map<String, String> snapshot() { return Map.of(); }
        public void restore(String key, String json) { }
    };

    /** The job with the parameters it left to Kiln ({@code omega: "auto"}) filled in, or the job itself. */
    Job tune(Job job);

    /**
     * As {@link #tune(Job)}, for a job about to run on {@code backend}: a tuner that chooses among
     * alternatives (the method tuner) offers only those the backend {@code supports}.
     */
    default Job tune(Job job, Backend backend) { return tune(job); }

    /**
     * Feeds back the outcome of a job {@link #tune} returned, and returns the outcome with the
     * choice recorded in its {@code parameters} (e.g. {@code omega}, {@code omegaExplored}).
     */
    SolveOutcome learn(Job job, SolveOutcome outcome, long solveNanos);

    /** The learned state of a family as JSON-ready maps, or empty when it has none. */
    Optional<Map<String, Object>> describe(String family);

    /** State to persist: key ({@code tuner/<family>/<method>}) → JSON. */
    Map<String, String> snapshot();

    /** Merges persisted state (a value {@link #snapshot} produced, possibly by another replica). */
    void restore(String key, String json);
}
