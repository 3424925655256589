package dev.kiln.runtime.config;

/**
 * One documented setting, in the manner of Kafka's {@code ConfigDef}: name, default and a
 * doc string, so {@code kiln --help} and docs/ARCHITECTURE.md come from one place.
 */
public record ConfigKey(String name, String defaultValue, String doc) { }
