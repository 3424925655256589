package dev.kiln.spi;

/**
 * Options specific to one kind of job ({@link LinearOptions} for linear jobs; QUBO and
 * training options join with their issues). Not sealed, so a plugged-in backend's kind can
 * bring its own.
 */
public interface KindOptions {
}
