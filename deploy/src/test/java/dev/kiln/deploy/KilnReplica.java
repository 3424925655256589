package dev.kiln.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Kiln replica as a separate operating-system process ({@code kiln serve --bootstrap ...}
 * on the test JVM's own class path), so a test can {@code kill -9} it
 * ({@link #kill()}) or send it SIGTERM ({@link #terminate}) as an orchestrator would. Its
 * stdout and stderr go to one log file, shown when something goes wrong (test support).
 */
final class KilnReplica implements AutoCloseable {
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP API\\s*:\\s*http://localhost:(\\d+)/");

    private final String name;
    private final Process process;
    private final Path log;

    private KilnReplica(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java ... dev.kiln.deploy.KilnMain serve --bootstrap B --port 0} with the
     * given {@code --set key=value} settings, in {@code dir} (its working directory and log).
     */
    static KilnReplica start(String name, String bootstrap, Path dir, List<String> settings) throws IOException {
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                // Small heaps: up to three replicas share the 2-core test machine with the broker.
                "-Xmx384m", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"),
                "dev.kiln.deploy.KilnMain", "serve", "--bootstrap", bootstrap, "--port", "0",
                "--set", "kiln.routing.calibrate=false",
                // Against an external Kafka the HTTP API refuses to start without keys.
                "--set", "kiln.http.api-keys=replica-test-key-0123456789",
                "--set", "kiln.plugins.dir=" + dir.resolve("no-plugins")));
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new KilnReplica(name, p, log);
    }

    /** Waits until the replica printed its banner; returns its HTTP port. Hang guard: {@code max}. */
    int awaitRunning(Duration max) throws IOException, InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            String text = logText();
            Matcher m = HTTP_PORT.matcher(text);
            if (text.contains("Kiln is running.") && m.find()) return Integer.parseInt(m.group(1));
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not start within " + max + ":\n" + tail());
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is committed or closed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, then waits (hang guard {@code max}) for the process to end.
     *
     * @return how long it took to exit, or -1 if it had not exited within {@code max}
     */
    long terminate(Duration max) throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) return -1;
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    int exitValue() { return process.exitValue(); }

    String name() { return name; }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The last lines of the log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- " + name + " (" + log + ") ----\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log of " + name + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
