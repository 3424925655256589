package dev.kiln.spi;

/** What the router minimises for a job: predicted finish time, or energy. */
public enum Objective { LATENCY, ENERGY }
