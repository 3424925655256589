package dev.kiln.runtime.backend;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Probe;

/**
 * A loaded backend with what its probe said. {@code loadError} is set when the provider
 * could not even be instantiated or probed (then {@code backend} may be null).
 */
public record BackendHandle(String id, Backend backend, Probe probe, String loadError) {
    public boolean usable() { return backend != null && probe.available(); }

    /**
     * The backend's probe now (it may have become degraded since start), falling back to the
     * start-up probe when the backend cannot answer. Backends cache discovery, so this is cheap.
     */
    public Probe liveProbe() {
        if (backend == null) return probe;
        try {
            Probe p = backend.probe();
            return p == null ? probe : p;
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("probe failed: " + e);
        }
    }
}
