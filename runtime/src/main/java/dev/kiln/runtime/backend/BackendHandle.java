package dev.kiln.runtime.backend;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Probe;

/**
 * A loaded backend with what its probe said. {@code loadError} is set when the provider
 * could not even be instantiated or probed (then {@code backend} may be null).
 */
public record BackendHandle(String id, Backend backend, Probe probe, String loadError) {
    public boolean usable() { return backend != null && probe.available(); }
}
