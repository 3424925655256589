package dev.kiln.deploy.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Apache Kafka broker running inside this JVM: one KRaft node that is both broker and
 * controller ({@code process.roles=broker,controller}), started through the same production
 * classes that {@code kafka-storage.sh format} and {@code kafka-server-start.sh} use.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #start()} formats the data directory exactly as {@code kafka-storage.sh format}
 *       does ({@link StorageTool}, which drives {@code org.apache.kafka.metadata.storage.Formatter}):
 *       random cluster id, {@code metadata.version} = latest production version of the bundled
 *       Kafka. If the directory already holds a {@code meta.properties} it is reused without
 *       formatting, so topics and committed consumer offsets survive restarts.</li>
 *   <li>It then builds a {@link KafkaConfig} and starts a {@link KafkaRaftServer} (the class that
 *       {@code kafka.Kafka#main} wraps), and finally blocks until an {@link Admin} client's
 *       {@code describeCluster} round-trip succeeds against the PLAINTEXT listener.</li>
 *   <li>{@link #stop()} shuts the broker down the same way but keeps the instance: a later
 *       {@link #start()} brings it back on the same data directory <em>and the same ports</em>, so
 *       clients holding the old bootstrap address reconnect on their own, as they would to a
 *       restarted node (the broker-restart test needs exactly that).</li>
 *   <li>{@link #close()} stops it for good; it is idempotent. After {@code close()} build a new
 *       instance (it may point at the same data directory).</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * {@code start()} and {@code close()} run entirely on the calling thread and block it; they are
 * {@code synchronized}, so a {@code close()} racing a {@code start()} waits for the start to finish
 * (or fail) and then shuts the broker down. All broker work (network acceptors/processors, request
 * handler pool, the KRaft I/O thread, the controller event queue, log cleaner, schedulers) runs on
 * Kafka's own threads, created by {@code KafkaRaftServer.startup()} and joined by
 * {@code awaitShutdown()}. No JVM shutdown hook is registered: the owner should call
 * {@code close()} (try-with-resources, or its own shutdown hook).
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li>Everything binds to {@value #HOST} only: this is a local, unauthenticated PLAINTEXT
 *       broker and must not be reachable from the network.</li>
 *   <li>Port {@code 0} means "pick a free port": a {@link ServerSocket} is bound to port 0 and
 *       released again and that port is written into the listener config. Kafka needs concrete
 *       ports up front, because the controller port is part of {@code controller.quorum.voters}
 *       and the broker port is what clients are told to reconnect to.</li>
 *   <li>The controller quorum is <em>static</em> ({@code controller.quorum.voters=1@host:port},
 *       {@code kraft.version=0}) rather than the dynamic KIP-853 {@code --standalone} quorum,
 *       because a dynamic quorum writes the controller endpoint into the metadata log at format
 *       time; with auto-picked ports that endpoint would be stale after a restart. With a static
 *       quorum the controller port can change freely between runs on the same data directory.</li>
 *   <li>Replication factors and min ISR of the internal topics are 1 (there is only one broker),
 *       automatic topic creation is off (topics are created explicitly by the application),
 *       and {@code group.initial.rebalance.delay.ms=0} so a lone consumer joins immediately.</li>
 *   <li>Kafka calls {@link Exit#exit}/{@link Exit#halt} on fatal errors; those would kill the whole
 *       host JVM, so before the first start the JVM-wide exit and halt procedures are replaced by
 *       ones that log and throw {@link KafkaExitException} on the calling Kafka thread instead.</li>
 * </ul>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The only interface the broker binds to. */
    public static final String HOST = "127.0.0.1";
    /** Default PLAINTEXT (client) port. */
    public static final int DEFAULT_PORT = 9092;
    /** Default controller port: {@code 0}, i.e. auto-picked (see class doc for why that is safe). */
    public static final int DEFAULT_CONTROLLER_PORT = 0;
    /** Default {@code num.partitions} for topics created without an explicit partition count. */
    public static final int DEFAULT_NUM_PARTITIONS = 3;
    /** Default upper bound for {@link #start()}. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Single node, so a fixed id; it is also written to meta.properties and must stay stable. */
    static final int NODE_ID = 1;
    private static final String META_PROPERTIES = "meta.properties";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Object EXIT_GUARD_LOCK = new Object();
    private static boolean exitGuardInstalled;

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private final int requestedPort;
    private final int requestedControllerPort;
    private final Path dataDir;
    private final int numPartitions;
    private final Duration startupTimeout;
    private final Map<String, String> extraProperties;

    // Guarded by "this".
    private State state = State.NEW;
    private KafkaRaftServer server;
    private int port = -1;
    private int controllerPort = -1;
    private String clusterId;

    private EmbeddedKafkaBroker(Builder b) {
        this.requestedPort = b.port;
        this.requestedControllerPort = b.controllerPort;
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        this.numPartitions = b.numPartitions;
        this.startupTimeout = b.startupTimeout;
        this.extraProperties = Map.copyOf(b.extraProperties);
    }

    /** Starts a builder; {@link Builder#dataDir(Path)} is the only required setting. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the data directory if needed, starts the broker and blocks the calling thread until
     * the broker answers an Admin {@code describeCluster} request, or the startup timeout expires.
     *
     * <p>After {@link #stop()} this starts the broker again on the ports it had (a port picked
     * for {@code 0} is kept, not picked anew) and on the same data directory.
     *
     * @return {@code this}, for chaining
     * @throws IllegalStateException if this instance is running or closed
     * @throws KafkaStartException if formatting, startup or the readiness check fails or times
     *         out; the broker has been shut down again when this is thrown
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (state != State.NEW && state != State.STOPPED) {
            throw new IllegalStateException("EmbeddedKafkaBroker cannot be started when " + state
                    + " (start after stop() is fine; after close() build a new instance)");
        }
        long t0 = System.nanoTime();
        long deadline = t0 + startupTimeout.toNanos();
        installExitGuard();
        if (state == State.NEW) {
            int[] ports = choosePorts(requestedPort, requestedControllerPort);
            port = ports[0];
            controllerPort = ports[1];
        }

        KafkaConfig config;
        boolean formatted;
        try {
            Files.createDirectories(dataDir);
            Properties props = brokerProperties();
            formatted = !Files.isRegularFile(dataDir.resolve(META_PROPERTIES));
            if (formatted) {
                format(props);
            }
            config = new KafkaConfig(props, false);
            clusterId = readClusterId();
        } catch (Exception e) {
            state = State.CLOSED;
            throw new KafkaStartException("Could not prepare Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }

        try {
            // The constructor already validates meta.properties and opens metrics, so it is inside the try.
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitReady(deadline);
        } catch (Throwable e) {
            // Scala code can throw anything; whatever it is, do not leave a half-started broker behind
            // (e.g. a broker bind failure leaves the already-started controller running).
            state = State.CLOSED;
            shutdownQuietly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e instanceof KafkaStartException kse) {
                throw kse;
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new KafkaStartException("Kafka broker on " + bootstrapServers() + " failed to start: " + e
                    + (root == e ? "" : " (root cause: " + root + ")"), e);
        }
        state = State.RUNNING;
        LOG.info("Kafka broker started on {} (controller port {}, cluster id {}, data dir {} {}) in {} ms",
                bootstrapServers(), controllerPort, clusterId, dataDir, formatted ? "formatted" : "reused",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return this;
    }

    /**
     * {@code "127.0.0.1:port"}, for the clients' {@code bootstrap.servers}.
     *
     * @throws IllegalStateException before {@link #start()} has chosen the port
     */
    public synchronized String bootstrapServers() {
        if (port < 0) {
            throw new IllegalStateException("bootstrapServers() is known only after start()");
        }
        return HOST + ":" + port;
    }

    /** The actual PLAINTEXT port (the picked one if 0 was requested), or -1 before {@link #start()}. */
    public synchronized int port() {
        return port;
    }

    /** The actual CONTROLLER port (the picked one if 0 was requested), or -1 before {@link #start()}. */
    public synchronized int controllerPort() {
        return controllerPort;
    }

    /** The absolute log/metadata directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** The KRaft cluster id from {@code meta.properties}, or {@code null} before {@link #start()}. */
    public synchronized String clusterId() {
        return clusterId;
    }

    /** {@code true} between a successful {@link #start()} and {@link #stop()} or {@link #close()}. */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Shuts the broker down as {@link #close()} does, but keeps the instance startable: a later
     * {@link #start()} serves the same data directory on the same ports. Calling it on a broker
     * that is not running does nothing.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPED;
        long t0 = System.nanoTime();
        shutdownQuietly();
        LOG.info("Kafka broker on {} stopped (restartable) in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Shuts the broker down (controlled shutdown of the broker, then the controller) and waits on
     * the calling thread until all Kafka threads have stopped. Idempotent; closing a never-started
     * or stopped instance just marks it closed.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasRunning = state == State.RUNNING;
        state = State.CLOSED;
        if (wasRunning) {
            long t0 = System.nanoTime();
            shutdownQuietly();
            LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    @Override
    public synchronized String toString() {
        return "EmbeddedKafkaBroker[" + HOST + ":" + (port < 0 ? requestedPort : port) + ", " + dataDir + ", " + state + "]";
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Request handler threads ({@code num.io.threads}) of a broker sharing {@code cores} with the
     * process it is embedded in: one per core, at least 2, at most Kafka's default of 8 (sized for
     * a broker with a machine of its own); in combined mode the controller's request pool takes the
     * same number again. On 2 cores, 2 (+ 2) handler threads and 1 network thread instead of 8 (+ 8)
     * and 3 took ~10 % less broker CPU per job and ~0.5 ms off the median of the tiny jobs at 5 000/s (measured here: {@code ./kiln bench routing --case tiny}, two pairs
     * alternating, docs/ARCHITECTURE.md issue 8).
     */
    static int ioThreads(int cores) {
        return Math.min(8, Math.max(2, cores));
    }

    /** Network threads ({@code num.network.threads}): one per two cores, at least 1, at most Kafka's default of 3. */
    static int networkThreads(int cores) {
        return Math.min(3, Math.max(1, cores / 2));
    }

    /** The complete server.properties equivalent; {@link Builder#brokerProperty} overrides are applied last. */
    private Properties brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        // One directory for both partition logs and the __cluster_metadata log.
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());
        p.put("num.partitions", Integer.toString(numPartitions));
        p.put("auto.create.topics.enable", "false");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Bounds the internal waits of KafkaRaftServer.startup() (default: forever).
        p.put("server.max.startup.time.ms", Long.toString(startupTimeout.toMillis()));
        int cores = Runtime.getRuntime().availableProcessors();
        p.put("num.io.threads", Integer.toString(ioThreads(cores)));
        p.put("num.network.threads", Integer.toString(networkThreads(cores)));
        p.putAll(extraProperties);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * Runs {@code kafka-storage.sh format --cluster-id <random uuid> --config <server.properties>}
     * in-process, via {@link StorageTool#execute}. That is the production format path: it builds a
     * {@code KafkaConfig} from the file and drives {@code org.apache.kafka.metadata.storage.Formatter}
     * with the node id, the {@code CONTROLLER} listener name, the metadata log dir and, since no
     * {@code --release-version} is given and unstable features are off, the latest production
     * {@code metadata.version}. Because {@code controller.quorum.voters} is set, it formats for a
     * static quorum ({@code kraft.version=0}). (The Formatter is not called directly because
     * {@code kafka-metadata}/{@code kafka-server-common} are only runtime dependencies of
     * {@code kafka_2.13}; the CLI argument interface is also the more stable contract.)
     */
    private void format(Properties props) throws IOException {
        String newClusterId = Uuid.randomUuid().toString();
        Path configFile = Files.createTempFile("kiln-kafka-format-", ".properties");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try {
            try (Writer w = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                props.store(w, "Kiln embedded Kafka broker (temporary, for storage format)");
            }
            try (PrintStream printStream = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {
                    "format", "--config", configFile.toString(), "--cluster-id", newClusterId}, printStream);
            }
        } finally {
            Files.deleteIfExists(configFile);
        }
        String output = out.toString(StandardCharsets.UTF_8).strip();
        if (rc != 0 || !Files.isRegularFile(dataDir.resolve(META_PROPERTIES))) {
            throw new IllegalStateException("kafka-storage format failed (exit code " + rc + "): " + output);
        }
        for (String line : output.split("\\R")) {
            if (!line.isBlank()) {
                LOG.info("Kafka storage format: {}", line.strip());
            }
        }
    }

    private String readClusterId() throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(dataDir.resolve(META_PROPERTIES))) {
            meta.load(in);
        }
        return meta.getProperty("cluster.id");
    }

    /**
     * {@code KafkaRaftServer.startup()} already waits for the broker to be unfenced, but only a
     * real client round trip over the advertised listener proves clients can use it.
     */
    private void awaitReady(long deadlineNanos) throws InterruptedException {
        long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, remainingMs);
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port,
                AdminClientConfig.CLIENT_ID_CONFIG, "kiln-embedded-kafka-readiness",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 1000),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(Math.max(timeoutMs, 1000), 30_000));
        try (Admin admin = Admin.create(adminConfig)) {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes().get(remainingMs + 1_000, TimeUnit.MILLISECONDS);
            if (nodes.stream().noneMatch(n -> n.id() == NODE_ID)) {
                throw new KafkaStartException("Kafka broker on " + HOST + ":" + port
                        + " answered describeCluster without itself in the node list: " + nodes, null);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new KafkaStartException("Kafka broker on " + HOST + ":" + port
                    + " did not answer describeCluster within " + startupTimeout.toMillis() + " ms of start: " + cause, cause);
        }
    }

    private void shutdownQuietly() {
        KafkaRaftServer s = server;
        server = null;
        if (s == null) {
            return;
        }
        try {
            s.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker shutdown failed", e);
        }
        try {
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Waiting for Kafka broker shutdown failed", e);
        }
    }

    /**
     * Resolves requested ports; 0 becomes a port the OS reports free. All auto-picked sockets are
     * held open together so the broker and controller ports differ, then released for Kafka to
     * bind. (Another process could grab one in between; that race is accepted.)
     */
    private static int[] choosePorts(int... requested) {
        int[] result = requested.clone();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < result.length; i++) {
                if (result[i] == 0) {
                    ServerSocket socket = new ServerSocket();
                    held.add(socket);
                    socket.bind(new InetSocketAddress(HOST, 0));
                    result[i] = socket.getLocalPort();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port on " + HOST, e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing useful to do
                }
            }
        }
        return result;
    }

    /**
     * Replaces Kafka's JVM-wide exit/halt procedures (default: {@code System.exit} /
     * {@code Runtime.halt}) once per JVM. Kafka invokes them from its own threads on fatal faults
     * (e.g. a metadata-log or log-directory failure); we log and throw on that thread instead,
     * which stops the faulty Kafka component but leaves the host application running.
     */
    private static void installExitGuard() {
        synchronized (EXIT_GUARD_LOCK) {
            if (exitGuardInstalled) {
                return;
            }
            Exit.setExitProcedure((statusCode, message) -> {
                LOG.error("Kafka requested System.exit({}){}; refusing inside the Kiln process",
                        statusCode, message == null ? "" : ": " + message);
                throw new KafkaExitException(false, statusCode, message);
            });
            Exit.setHaltProcedure((statusCode, message) -> {
                LOG.error("Kafka requested Runtime.halt({}){}; refusing inside the Kiln process",
                        statusCode, message == null ? "" : ": " + message);
                throw new KafkaExitException(true, statusCode, message);
            });
            exitGuardInstalled = true;
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Thrown by {@link #start()} when the broker cannot be formatted, started, or reached in time. */
    public static final class KafkaStartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Thrown on a Kafka thread in place of {@code System.exit}/{@code Runtime.halt} (see class doc).
     */
    public static final class KafkaExitException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean halt;
        private final int statusCode;

        KafkaExitException(boolean halt, int statusCode, String message) {
            super("Kafka called " + (halt ? "Exit.halt" : "Exit.exit") + "(" + statusCode + ")"
                    + (message == null ? "" : ": " + message));
            this.halt = halt;
            this.statusCode = statusCode;
        }

        /** {@code true} for {@code Runtime.halt}, {@code false} for {@code System.exit}. */
        public boolean isHalt() {
            return halt;
        }

        public int statusCode() {
            return statusCode;
        }
    }

    /** Configuration for an {@link EmbeddedKafkaBroker}; all setters return {@code this}. */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private int controllerPort = DEFAULT_CONTROLLER_PORT;
        private Path dataDir;
        private int numPartitions = DEFAULT_NUM_PARTITIONS;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> extraProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** PLAINTEXT client port on {@value EmbeddedKafkaBroker#HOST}; default 9092, 0 = pick a free port. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** CONTROLLER (KRaft) port on {@value EmbeddedKafkaBroker#HOST}; default 0 = pick a free port. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort);
            return this;
        }

        /**
         * Directory for the partition logs and the KRaft metadata log (required). Created if
         * missing; formatted on first start; reused without formatting if it holds a
         * {@code meta.properties}.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** {@code num.partitions} for topics created without a partition count; default 3. */
        public Builder numPartitions(int numPartitions) {
            if (numPartitions < 1) {
                throw new IllegalArgumentException("numPartitions must be >= 1: " + numPartitions);
            }
            this.numPartitions = numPartitions;
            return this;
        }

        /** Upper bound for {@link EmbeddedKafkaBroker#start()}; default 60 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Escape hatch: an extra broker config entry, applied after (and overriding) the ones this
         * class sets. Overriding listener, node or directory settings is unsupported.
         */
        public Builder brokerProperty(String key, String value) {
            extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Creates the (not yet started) broker. */
        public EmbeddedKafkaBroker build() {
            if (dataDir == null) {
                throw new IllegalStateException("dataDir is required");
            }
            if (port != 0 && port == controllerPort) {
                throw new IllegalStateException("port and controllerPort must differ: " + port);
            }
            return new EmbeddedKafkaBroker(this);
        }

        /** {@code build().start()}. */
        public EmbeddedKafkaBroker start() {
            return build().start();
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }
    }
}
