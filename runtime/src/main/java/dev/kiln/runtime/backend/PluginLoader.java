package dev.kiln.runtime.backend;

import dev.kiln.spi.Backend;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds backend plug-ins in a folder without rebuilding Kiln: each {@code *.jar} is one
 * plug-in, and so is each sub-folder (all its jars on one class path, for a plug-in with
 * dependencies). Every plug-in gets its own {@link URLClassLoader} whose parent is the SPI's
 * loader, so plug-ins see the SPI and the solvers but not each other. Only providers defined
 * by the plug-in's own loader count (the parent's are Kiln's built-ins). Called once at
 * start, on the starting thread.
 */
public final class PluginLoader {
    private PluginLoader() { }

    /** One plug-in: its backends, or why it could not be loaded. */
    public record Plugin(String name, List<Backend> backends, String error) { }

    public static List<Plugin> scan(Path dir) {
        List<Plugin> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) return out;
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            out.add(new Plugin(dir.toString(), List.of(), "cannot list the folder: " + e));
            return out;
        }
        for (Path e : entries) {
            String name = e.getFileName().toString();
            try {
                List<URL> urls = new ArrayList<>();
                if (Files.isRegularFile(e) && name.endsWith(".jar")) {
                    urls.add(e.toUri().toURL());
                } else if (Files.isDirectory(e)) {
                    try (Stream<Path> jars = Files.list(e)) {
                        for (Path j : jars.filter(j -> j.toString().endsWith(".jar")).sorted().toList()) urls.add(j.toUri().toURL());
                    }
                    if (urls.isEmpty()) continue;
                } else {
                    continue;
                }
                out.add(load(name, urls));
            } catch (IOException | RuntimeException ex) {
                out.add(new Plugin(name, List.of(), ex.toString()));
            }
        }
        return out;
    }

    private static Plugin load(String name, List<URL> urls) throws MalformedURLException {
        URLClassLoader cl = new URLClassLoader("kiln-plugin-" + name, urls.toArray(URL[]::new), Backend.class.getClassLoader());
        List<Backend> backends = new ArrayList<>();
        try {
            ServiceLoader.load(Backend.class, cl).stream()
                    .filter(p -> p.type().getClassLoader() == cl)
                    .forEach(p -> backends.add(p.get()));
        } catch (java.util.ServiceConfigurationError | LinkageError | RuntimeException e) {
            return new Plugin(name, List.of(), e.toString());
        }
        if (backends.isEmpty()) {
            return new Plugin(name, List.of(), "no META-INF/services/" + Backend.class.getName() + " provider in it");
        }
        return new Plugin(name, backends, null);
    }
}
