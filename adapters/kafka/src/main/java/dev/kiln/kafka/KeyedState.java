package dev.kiln.kafka;

import java.util.Map;

/**
 * One kind of learned state kept on the compacted {@code kiln.state} topic, one record per key,
 * every key under {@link #keyPrefix()}: the per-kind part of {@link KeyedStatePublisher} and
 * {@link KeyedStateLoader}, which own the Kafka plumbing. Kinds share the topic; each reads and
 * writes only its own prefix.
 */
public interface KeyedState {
    /** Short name for client ids, thread names and log lines ({@code costmodel}, {@code tuner}). */
    String name();

    /** Every key of this kind starts with it ({@code costmodel/}, {@code tuner/}). */
    String keyPrefix();

    /**
     * The keys changed since the last call, each with its encoded value or {@code null} for a
     * tombstone (a reset). Called by the publisher only, under its lock.
     */
    Map<String, byte[]> changes();

    /**
     * Applies one record read back at start (the last value of {@code key}, never a tombstone).
     *
     * @throws IllegalArgumentException when {@code value} does not decode (the loader skips it)
     */
    void apply(String key, byte[] value);
}
