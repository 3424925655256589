package dev.kiln.deploy.bench;

/**
 * One {@code ./kiln bench NAME}: a whole-solve benchmark that prints Kiln's figures beside a
 * peer's from the same run. Found with {@link java.util.ServiceLoader} (one line in
 * {@code META-INF/services/dev.kiln.deploy.bench.Bench}). Runs on the main thread.
 *
 * <p>Every bench accepts {@code --quick} (finishes in under a minute on 2 cores) and input
 * files or folders ({@code --matrices}, {@code --instances}, {@code --data}), and reports
 * each measured case through {@link BenchReport#record}.
 */
public interface Bench {
    /** The NAME in {@code ./kiln bench NAME}. */
    String name();

    /** One line for {@code ./kiln bench} without a name. */
    String description();

    void run(BenchArgs args, BenchReport report) throws Exception;
}
