package dev.kiln.deploy;

import dev.kiln.deploy.kafka.EmbeddedKafkaBroker;
import dev.kiln.http.HttpApi;
import dev.kiln.kafka.KafkaJobAdapter;
import dev.kiln.kafka.KafkaSettings;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.EarliestFinishRouter;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole of Kiln in one process: the embedded broker (unless an external bootstrap is
 * configured), the runtime with every backend on the class path, the Kafka adapter and the
 * HTTP API. Started and stopped from the caller's thread; {@link #close()} stops the parts
 * in reverse order and is idempotent.
 */
public final class KilnService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KilnService.class);

    private final KilnConfig config;
    private EmbeddedKafkaBroker broker;
    private KilnRuntime runtime;
    private KafkaJobAdapter kafka;
    private dev.kiln.kafka.KeyedStatePublisher costModelState;
    private dev.kiln.kafka.KeyedStatePublisher tunerState;
    private Vertx vertx;
    private HttpApi http;
    private String bootstrap;
    private boolean closed;

    private KilnService(KilnConfig config) {
        this.config = config;
    }

    /** Starts every part; on failure stops what started and rethrows. Blocks the caller. */
    public static KilnService start(KilnConfig config) throws Exception {
        KilnService s = new KilnService(config);
        try {
            s.startParts();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void startParts() throws Exception {
        bootstrap = config.get(KilnConfig.KAFKA_BOOTSTRAP).trim();
        if (bootstrap.isEmpty()) {
            int partitions = config.getInt(KilnConfig.KAFKA_PARTITIONS);
            EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                    .port(config.getInt(KilnConfig.KAFKA_PORT))
                    .dataDir(Path.of(config.get(KilnConfig.KAFKA_DATA_DIR)))
                    .numPartitions(partitions)
                    .brokerProperty("message.max.bytes", Integer.toString(KilnTopics.MAX_MESSAGE_BYTES))
                    .brokerProperty("replica.fetch.max.bytes", Integer.toString(KilnTopics.MAX_MESSAGE_BYTES))
                    // One node: 50 offsets partitions (Kafka's default, sized for clusters) only slow the start.
                    .brokerProperty("offsets.topic.num.partitions", "5");
            embeddedBrokerProperties(config).forEach(builder::brokerProperty);
            broker = builder.start();
            bootstrap = broker.bootstrapServers();
        }
        EarliestFinishRouter router = EarliestFinishRouter.fromConfig(config);
        runtime = KilnRuntime.start(config, router);
        KafkaSettings kafkaSettings = new KafkaSettings(bootstrap, config.get(KilnConfig.KAFKA_GROUP),
                config.getInt(KilnConfig.KAFKA_PARTITIONS), config.getInt(KilnConfig.KAFKA_MAX_IN_FLIGHT),
                config.getLong(KilnConfig.SHUTDOWN_GRACE_MS), kafkaClientProperties(config));
        // Cost models: what kiln.state holds, then calibration of the rest, then publishing changes (issue 8).
        long persistMs = config.getLong(KilnConfig.ROUTING_PERSIST_INTERVAL_MS);
        var costModelKind = new dev.kiln.kafka.CostModelKeyedState(router.costModel().orElseThrow());
        if (persistMs > 0) dev.kiln.kafka.KeyedStateLoader.load(kafkaSettings, costModelKind, 30_000);
        if (config.getBoolean(KilnConfig.ROUTING_CALIBRATE)) {
            Calibration.run(runtime.backends(), router.costModel().orElseThrow());
        }
        if (persistMs > 0) costModelState = dev.kiln.kafka.KeyedStatePublisher.start(kafkaSettings, costModelKind, persistMs);
        // Learned ω per family (issue 4): same topic, same interval as the cost models.
        if (persistMs > 0) {
            var tunerKind = new dev.kiln.kafka.TunerKeyedState(runtime.tuner());
            dev.kiln.kafka.KeyedStateLoader.load(kafkaSettings, tunerKind, 30_000);
            tunerState = dev.kiln.kafka.KeyedStatePublisher.start(kafkaSettings, tunerKind, persistMs);
        }
        kafka = KafkaJobAdapter.start(runtime, kafkaSettings);
        vertx = Vertx.vertx();
        http = HttpApi.deploy(vertx, runtime).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** {@code kiln.kafka.client.*} settings pass through to the Kafka clients (SASL, TLS, ...). */
    private static Map<String, Object> kafkaClientProperties(KilnConfig config) {
        Map<String, Object> m = new java.util.HashMap<>();
        String prefix = "kiln.kafka.client.";
        config.asMap().forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    /** {@code kiln.kafka.broker.*} settings pass through to the embedded broker (after Kiln's own). */
    static Map<String, String> embeddedBrokerProperties(KilnConfig config) {
        Map<String, String> m = new java.util.TreeMap<>();
        String prefix = "kiln.kafka.broker.";
        config.asMap().forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    public String bootstrapServers() { return bootstrap; }
    public boolean embeddedBroker() { return broker != null; }
    public int httpPort() { return http.actualPort(); }
    public KilnRuntime runtime() { return runtime; }
    public KilnConfig config() { return config; }
    /** The adapter consuming {@code kiln.jobs}: tests read its in-flight count. */
    public KafkaJobAdapter kafkaAdapter() { return kafka; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        // Order: stop taking HTTP jobs, stop consuming (commits what is answered), stop solving, stop the broker.
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("closing Vert.x: {}", e.toString());
            }
        }
        if (kafka != null) kafka.close();
        if (runtime != null) runtime.close();
        if (costModelState != null) costModelState.close(); // after the last jobs were learned
        if (tunerState != null) tunerState.close();
        if (broker != null) broker.close();
    }
}
