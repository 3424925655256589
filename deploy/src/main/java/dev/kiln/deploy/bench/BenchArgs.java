package dev.kiln.deploy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Arguments of a bench: {@code --quick}, input paths ({@code --matrices}, {@code --instances},
 * {@code --data}: files or folders, several allowed, comma-separated or repeated) and any
 * other {@code --key value} option.
 */
public final class BenchArgs {
    private final boolean quick;
    private final Map<String, List<String>> options;

    private BenchArgs(boolean quick, Map<String, List<String>> options) {
        this.quick = quick;
        this.options = options;
    }

    public static BenchArgs parse(List<String> args) {
        boolean quick = false;
        Map<String, List<String>> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.startsWith("--")) {
                String key = a.substring(2);
                String value = "true";
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    value = args.get(++i);
                    // Further bare words after a path option are more paths (shell globs).
                    while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) value += "," + args.get(++i);
                }
                for (String v : value.split(",")) if (!v.isEmpty()) opts.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
        }
        return new BenchArgs(quick, opts);
    }

    public boolean quick() { return quick; }

    public boolean has(String key) { return options.containsKey(key); }

    public String get(String key, String dflt) {
        List<String> v = options.get(key);
        return v == null || v.isEmpty() ? dflt : v.get(0);
    }

    public int getInt(String key, int dflt) { return Integer.parseInt(get(key, Integer.toString(dflt))); }

    public long getLong(String key, long dflt) { return Long.parseLong(get(key, Long.toString(dflt))); }

    public double getDouble(String key, double dflt) { return Double.parseDouble(get(key, Double.toString(dflt))); }

    /**
     * Files named by {@code --key} (folders expanded to their files ending in one of
     * {@code extensions}, sorted), or {@code defaults} when the option is absent.
     * Missing paths are an error naming them.
     */
    public List<Path> files(String key, List<Path> defaults, String... extensions) throws java.io.IOException {
        List<String> given = options.get(key);
        List<Path> roots = given == null ? defaults : given.stream().map(Path::of).toList();
        List<Path> out = new ArrayList<>();
        for (Path p : roots) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f) && matches(f, extensions)).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else if (given != null) {
                throw new IllegalArgumentException("--" + key + ": no such file or folder: " + p);
            }
        }
        return out;
    }

    private static boolean matches(Path f, String... extensions) {
        if (extensions.length == 0) return true;
        String n = f.getFileName().toString();
        for (String e : extensions) if (n.endsWith(e)) return true;
        return false;
    }

    /** Kiln's checkout (set by the launcher), for {@code ../shared/data} defaults. */
    public static Path home() {
        return Path.of(System.getProperty("kiln.home", ".")).toAbsolutePath().normalize();
    }

    /** {@code ../shared/data} next to the checkout, where the benchmarks' default data lives. */
    public static Path sharedData() {
        return home().resolve("../shared/data").normalize();
    }
}
