package dev.kiln.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects a bench's records: each is printed at once as
 * {@code BENCH NAME case=<case> key=value ...} (numbers plain, units in key names) and,
 * at the end, all are written as JSON to {@code target/bench/NAME.json}. Progress lines go
 * to stderr so stdout stays machine-readable.
 */
public final class BenchReport implements AutoCloseable {
    private final String name;
    private final PrintStream out;
    private final Path dir;
    private final List<Map<String, Object>> records = new ArrayList<>();
    private final Map<String, Object> environment = new LinkedHashMap<>();

    public BenchReport(String name, PrintStream out, Path dir) {
        this.name = name;
        this.out = out;
        this.dir = dir;
    }

    /** Where plots and the JSON go ({@code target/bench}). */
    public Path dir() throws IOException {
        Files.createDirectories(dir);
        return dir;
    }

    /** Facts about the run (machine, JDK, peer versions) stored once in the JSON. */
    public void environment(String key, Object value) { environment.put(key, value); }

    /** Prints and keeps one measured case. Values: numbers, strings, booleans. */
    public void record(String caseName, Map<String, ?> fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("case", caseName);
        r.putAll(fields);
        records.add(r);
        StringBuilder b = new StringBuilder("BENCH ").append(name).append(" case=").append(caseName);
        for (Map.Entry<String, ?> e : fields.entrySet()) b.append(' ').append(e.getKey()).append('=').append(format(e.getValue()));
        out.println(b);
        out.flush();
    }

    /** A progress line for the person watching (stderr). */
    public void progress(String message) {
        System.err.println("[" + name + "] " + message);
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) return "nan";
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
            return String.format(Locale.ROOT, "%.4g", d);
        }
        if (v instanceof Float f) return format(f.doubleValue());
        String s = String.valueOf(v);
        return s.contains(" ") ? s.replace(' ', '_') : s;
    }

    public List<Map<String, Object>> records() { return List.copyOf(records); }

    /** Writes {@code target/bench/NAME.json}. */
    @Override
    public void close() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", name);
        doc.put("environment", environment);
        doc.put("records", records);
        Path f = dir().resolve(name + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(f.toFile(), doc);
        System.err.println("[" + name + "] wrote " + f);
    }
}
