package dev.kiln.deploy.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/** {@code ./kiln bench [NAME] [options]}: runs one bench, or lists them. Main thread. */
public final class BenchCommand {
    private BenchCommand() { }

    public static int run(List<String> args, PrintStream out) throws Exception {
        List<Bench> benches = ServiceLoader.load(Bench.class).stream().map(ServiceLoader.Provider::get).toList();
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            out.println("usage: kiln bench NAME [--quick] [--matrices|--instances|--data PATH...] [options]");
            for (Bench b : benches) out.printf("  %-12s %s%n", b.name(), b.description());
            return args.isEmpty() ? 0 : 2;
        }
        String name = args.get(0);
        Bench bench = benches.stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
        if (bench == null) {
            System.err.println("kiln bench: unknown bench '" + name + "'; known: "
                    + String.join(", ", benches.stream().map(Bench::name).toList()));
            return 2;
        }
        BenchArgs ba = BenchArgs.parse(args.subList(1, args.size()));
        Path dir = BenchArgs.home().resolve("target").resolve("bench");
        try (BenchReport report = new BenchReport(name, out, dir)) {
            report.environment("cores", Runtime.getRuntime().availableProcessors());
            report.environment("java", Runtime.version().toString());
            report.environment("os.arch", System.getProperty("os.arch"));
            report.environment("quick", ba.quick());
            bench.run(ba, report);
        }
        return 0;
    }
}
