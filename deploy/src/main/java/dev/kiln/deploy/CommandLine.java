package dev.kiln.deploy;

import dev.kiln.runtime.config.ConfigKey;
import dev.kiln.runtime.config.KilnConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Parsed command line: a command ({@code serve}, {@code demo}, {@code help}) and settings.
 * Precedence, lowest first: defaults, {@code KILN_*} environment variables, {@code --config}
 * file, flags.
 */
public record CommandLine(String command, KilnConfig config, List<String> rest) {
    /** Commands that take their own options (everything after the command is theirs). */
    static final java.util.Set<String> CLIENT_COMMANDS = java.util.Set.of("bench", "submit", "watch", "backends", "tuning", "status");

    public static final String USAGE = """
            usage: kiln [serve|demo|help] [options]

              serve (default)   start Kiln and keep running: embedded Kafka broker (or --bootstrap),
                                runtime, every available backend, HTTP API
              demo              start Kiln, publish a short stream of linear jobs to kiln.jobs,
                                print their results from kiln.results as they arrive, exit
              bench [NAME]      run a benchmark (no NAME lists them); --quick, --matrices, ...
              aot               (the ./kiln launcher, JDK 25+) train an AOT cache of loaded classes and
                                method profiles, deploy/target/kiln.aot, on a short tiny-job stream
                                (~1 min); later runs use it until the jar is rebuilt: start ~3 s
                                sooner, first seconds of a stream faster; KILN_AOT=0 runs without

            client (talks to a running Kiln over HTTP; --url, default http://localhost:8080; --json;
                    --api-key KEY, or KILN_API_KEY, when Kiln has kiln.http.api-keys):
              submit FILE.json  submit a job; --mtx FILE.mtx, --qubo FILE (Beasley) or --maxcut FILE
                                (G-set) instead of a job file; --bootstrap HOST:PORT publishes
                                to kiln.jobs over Kafka (and --wait reads kiln.results) instead of HTTP;
                                --wait waits for the result with a progress bar; --backend ID
              watch ID          stream a job's progress with a progress bar until its result
              status ID         print a job's status or result
              backends          list backends with availability
              tuning FAMILY     print the learned tuning of a family
              exit codes: 0 succeeded, 1 failed, 2 usage, 3 rejected, 4 cancelled or timed out,
                          5 Kiln not reachable, 6 still running (status), 7 API key missing or refused

            options:
              --port N              HTTP port (default 8080; 0 picks a free one)
              --bootstrap HOST:PORT use an external Kafka cluster instead of the embedded broker
              --kafka-port N        port of the embedded broker (default 9092)
              --data-dir DIR        folder of the embedded broker's data (default kiln-data/kafka;
                                    the demo uses a fresh temporary folder unless given)
              --plugins DIR         folder of backend plug-in jars (default plugins)
              --config FILE         a properties file of settings
              --set KEY=VALUE       any setting below
            """;

    public static CommandLine parse(String[] args, Map<String, String> env) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (ConfigKey k : KilnConfig.KEYS) {
            String envName = k.name().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            if (env.containsKey(envName)) settings.put(k.name(), env.get(envName));
        }
        String command = "serve";
        List<String> rest = new ArrayList<>();
        Map<String, String> flags = new LinkedHashMap<>();
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) command = args[i++];
        if (CLIENT_COMMANDS.contains(command)) {
            // Client commands and benches parse their own options.
            for (; i < args.length; i++) rest.add(args[i]);
        }
        for (; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> flags.put(KilnConfig.HTTP_PORT.name(), value(args, ++i, a));
                case "--bootstrap" -> flags.put(KilnConfig.KAFKA_BOOTSTRAP.name(), value(args, ++i, a));
                case "--kafka-port" -> flags.put(KilnConfig.KAFKA_PORT.name(), value(args, ++i, a));
                case "--data-dir" -> flags.put(KilnConfig.KAFKA_DATA_DIR.name(), value(args, ++i, a));
                case "--plugins" -> flags.put(KilnConfig.PLUGINS_DIR.name(), value(args, ++i, a));
                case "--config" -> {
                    Properties p = new Properties();
                    try (Reader r = Files.newBufferedReader(Path.of(value(args, ++i, a)))) {
                        p.load(r);
                    }
                    for (String n : p.stringPropertyNames()) settings.put(n, p.getProperty(n));
                }
                case "--set" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + kv + "'");
                    flags.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "-h", "--help" -> command = "help";
                default -> {
                    if (a.startsWith("--")) throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                    rest.add(a);
                }
            }
        }
        settings.putAll(flags);
        return new CommandLine(command, KilnConfig.of(settings), rest);
    }

    /** True when the user chose the data folder (the demo otherwise uses a temporary one). */
    public boolean dataDirGiven(String[] args) {
        for (String a : args) if (a.equals("--data-dir") || a.startsWith("--set=kiln.kafka.data-dir")) return true;
        return false;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    public static String settingsHelp() {
        StringBuilder b = new StringBuilder("settings (--set KEY=VALUE, or environment KILN_KEY_NAME):\n");
        for (ConfigKey k : KilnConfig.KEYS) {
            b.append(String.format("  %-34s default %-14s %s%n", k.name(), k.defaultValue().isEmpty() ? "\"\"" : k.defaultValue(), k.doc()));
        }
        b.append(String.format("  %-34s %s%n", "kiln.kafka.client.<property>", "a Kafka client property for Kiln's consumer, producer and admin client (SASL, TLS, ...)"));
        b.append(String.format("  %-34s %s%n", "kiln.kafka.broker.<property>", "a broker property for the embedded broker, over Kiln's own (e.g. num.io.threads)"));
        return b.toString();
    }
}
