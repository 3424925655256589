package dev.kiln.deploy;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.config.KilnConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kiln}: the launcher's entry point. Runs on the main thread; a shutdown hook stops
 * the service on Ctrl-C or SIGTERM.
 */
public final class KilnMain {
    private KilnMain() { }

    public static void main(String[] args) {
        PrintStream out = System.out;
        CommandLine cl;
        try {
            cl = CommandLine.parse(args, System.getenv());
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("kiln: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            int code = switch (cl.command()) {
                case "serve" -> serve(cl.config(), out);
                case "demo" -> {
                    KilnConfig c = cl.config();
                    if (!cl.dataDirGiven(args)) {
                        c = c.with(KilnConfig.KAFKA_DATA_DIR, Files.createTempDirectory("kiln-demo-").toString());
                    }
                    yield Demo.run(c, out);
                }
                case "bench" -> dev.kiln.deploy.bench.BenchCommand.run(cl.rest(), out);
                case "submit", "watch", "status", "backends", "tuning" ->
                        new dev.kiln.deploy.cli.KilnClientCommand(out).run(cl.command(), cl.rest());
                case "help" -> {
                    out.println(CommandLine.USAGE);
                    out.println(CommandLine.settingsHelp());
                    yield 0;
                }
                default -> {
                    System.err.println("kiln: unknown command '" + cl.command() + "'\n" + CommandLine.USAGE);
                    yield 2;
                }
            };
            System.exit(code);
        } catch (Exception e) {
            System.err.println("kiln: " + explain(e));
            System.exit(1);
        }
    }

    static String explain(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "a port is already in use (" + t.getMessage() + "); choose others with --port and --kafka-port";
            }
        }
        return e.toString();
    }

    private static int serve(KilnConfig config, PrintStream out) throws Exception {
        KilnService s = KilnService.start(config);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            done.countDown();
        }, "kiln-shutdown"));
        printBanner(s, out);
        done.await();
        return 0;
    }

    static void printBanner(KilnService s, PrintStream out) {
        out.println("Kiln is running.");
        out.println("  Kafka bootstrap : " + s.bootstrapServers()
                + (s.embeddedBroker() ? "  (embedded broker, data in " + s.config().get(KilnConfig.KAFKA_DATA_DIR) + ")" : "  (external)"));
        out.println("  publish jobs to : kiln.jobs     results on kiln.results, progress on kiln.progress");
        out.println("  HTTP API        : http://localhost:" + s.httpPort() + "/   (POST /v1/jobs, GET /v1/backends, GET /health)");
        for (BackendHandle h : s.runtime().backends().all()) {
            out.println("  backend " + String.format("%-8s", h.id()) + ": "
                    + (h.usable() ? "available, " + h.probe().device() : "unavailable, " + h.probe().reason()));
        }
        out.println("  try: curl -s -XPOST 'localhost:" + s.httpPort() + "/v1/jobs?wait=5000' -d "
                + "'{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":64}}}'");
        out.println("Ctrl-C stops it.");
        out.flush();
    }
}
