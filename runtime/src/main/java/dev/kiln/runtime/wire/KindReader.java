package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.solvers.problem.Problem;
import dev.kiln.spi.KindOptions;

import java.util.Set;

/**
 * Reads the kind-specific part of a job document: its {@code problem} object and the
 * options beyond the common ones. One per job kind; {@link JobDecoder} dispatches on
 * {@code kind}. Runs on whatever thread decodes (never an event loop).
 */
public interface KindReader {
    /** Options every kind accepts, read by {@link JobDecoder} itself. */
    Set<String> COMMON_OPTIONS = Set.of("backend", "objective", "deadlineMs", "seed");

    /**
     * @param problem the {@code problem} object
     * @param options the whole {@code options} object (skip {@link #COMMON_OPTIONS}; reject other unknown names)
     * @param seed    the job's seed (for generated inputs)
     * @throws JobRejectedException naming the field at fault
     */
    Decoded read(ObjectNode problem, ObjectNode options, long seed) throws JobRejectedException;

    /** What a kind reader produces. */
    record Decoded(Problem problem, KindOptions options) { }
}
