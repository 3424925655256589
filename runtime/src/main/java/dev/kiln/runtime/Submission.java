package dev.kiln.runtime;

import dev.kiln.runtime.store.JobRecord;

/**
 * What happened to a submitted job. A full queue is not a job outcome (the job was not
 * taken; the caller should retry later: Kafka pauses, HTTP answers 503), so it is a case of
 * its own rather than a rejected result.
 */
public sealed interface Submission {
    /** Taken (or already known under its id): the record's result future completes with the outcome. */
    record Accepted(JobRecord record, boolean duplicate) implements Submission { }

    /** Refused at once; the record holds the {@code rejected} result. */
    record Rejected(JobRecord record) implements Submission { }

    /** Every queue that could take it is full; nothing was stored. */
    record QueueFull(String reason) implements Submission { }
}
