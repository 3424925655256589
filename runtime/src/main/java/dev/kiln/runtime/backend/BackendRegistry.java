package dev.kiln.runtime.backend;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Probe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The backends of this process, found with {@link ServiceLoader}: the runtime never
 * names a concrete backend. Each is configured, then probed; a provider that fails to load,
 * configure or probe is kept as an unavailable entry with the reason, never taking Kiln
 * down. Built once at start; read-only afterwards.
 */
public final class BackendRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    private final Map<String, BackendHandle> byId;
    /** Whether {@link #close} closes the backends: false when the caller lent them ({@link #borrowing}). */
    private final boolean owns;

    private BackendRegistry(Map<String, BackendHandle> byId, boolean owns) {
        this.byId = Collections.unmodifiableMap(byId);
        this.owns = owns;
    }

    /** Loads every {@link Backend} visible to {@code loader}, configures and probes each. */
    public static BackendRegistry load(ClassLoader loader, Map<String, ?> config) {
        Map<String, BackendHandle> handles = new LinkedHashMap<>();
        return of(discover(loader, handles), config, handles);
    }

    /** Instantiates the providers visible to {@code loader}; broken ones become unavailable entries. */
    private static List<Backend> discover(ClassLoader loader, Map<String, BackendHandle> handles) {
        List<Backend> found = new ArrayList<>();
        var it = ServiceLoader.load(Backend.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                String id = "broken-" + (handles.size() + 1);
                LOG.warn("backend provider could not be loaded: {}", e.toString());
                handles.put(id, new BackendHandle(id, null, Probe.unavailable("provider failed to load: " + e), e.toString()));
            }
        }
        return found;
    }

    /**
     * Loads the backends visible to {@code loader} and then the plug-ins in {@code pluginsDir}:
     * each {@code *.jar} there, or each sub-folder of jars, is one plug-in with its own class
     * loader (parent: the SPI's loader), searched with {@link ServiceLoader}. A plug-in that
     * fails to load is listed as an unavailable {@code plugin:<name>} entry with the reason,
     * and the others load on. A missing folder means no plug-ins.
     */
    public static BackendRegistry load(ClassLoader loader, java.nio.file.Path pluginsDir, Map<String, ?> config) {
        Map<String, BackendHandle> handles = new LinkedHashMap<>();
        List<Backend> found = discover(loader, handles);
        for (PluginLoader.Plugin p : PluginLoader.scan(pluginsDir)) {
            if (p.error() != null) {
                LOG.warn("plug-in {} could not be loaded: {}", p.name(), p.error());
                handles.put("plugin:" + p.name(), new BackendHandle("plugin:" + p.name(), null,
                        Probe.unavailable("plug-in " + p.name() + " failed to load: " + p.error()), p.error()));
                continue;
            }
            LOG.info("plug-in {} provides backend(s) {}", p.name(), p.backends().stream().map(b -> safeId(b)).toList());
            found.addAll(p.backends());
        }
        return of(found, config, handles);
    }

    private static String safeId(Backend b) {
        try {
            return b.id();
        } catch (RuntimeException e) {
            return b.getClass().getName();
        }
    }

    /** A registry of the given backends (tests, embedding); closing it closes them. */
    public static BackendRegistry of(List<Backend> backends, Map<String, ?> config) {
        return of(backends, config, new LinkedHashMap<>());
    }

    /**
     * A registry of backends the caller keeps and closes itself: closing the registry (and the
     * runtime built on it) leaves them open, so several runtimes in turn can use one device. The
     * routing bench needs this: each of its runtimes closed the shared OpenCL backend, so every
     * runtime after the first found it "closed" and ran all jobs on the CPU.
     */
    public static BackendRegistry borrowing(List<Backend> backends, Map<String, ?> config) {
        BackendRegistry r = of(backends, config, new LinkedHashMap<>());
        return new BackendRegistry(r.byId, false);
    }

    private static BackendRegistry of(List<Backend> backends, Map<String, ?> config, Map<String, BackendHandle> handles) {
        for (Backend b : backends) {
            String id;
            try {
                id = b.id();
            } catch (RuntimeException e) {
                id = b.getClass().getName();
            }
            if (handles.containsKey(id)) {
                LOG.warn("backend id '{}' is provided twice; keeping the first ({})", id, handles.get(id).backend());
                continue;
            }
            Probe probe;
            try {
                b.configure(config);
                probe = b.probe();
                if (probe == null) probe = Probe.unavailable("probe() returned null");
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("backend '{}' failed to configure or probe: {}", id, e.toString());
                probe = Probe.unavailable("probe failed: " + e);
            }
            if (probe.available()) LOG.info("backend '{}' available: {}", id, probe.device());
            else LOG.info("backend '{}' unavailable: {}", id, probe.reason());
            handles.put(id, new BackendHandle(id, b, probe, null));
        }
        return new BackendRegistry(handles, true);
    }

    public List<BackendHandle> all() { return List.copyOf(byId.values()); }

    public Optional<BackendHandle> get(String id) { return Optional.ofNullable(byId.get(id)); }

    @Override
    public void close() {
        if (!owns) return;
        for (BackendHandle h : byId.values()) {
            if (h.backend() == null) continue;
            try {
                h.backend().close();
            } catch (RuntimeException e) {
                LOG.warn("backend '{}' failed to close: {}", h.id(), e.toString());
            }
        }
    }
}
