package dev.kiln.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes one {@link KeyedState}'s changes to the compacted {@code kiln.state} topic (a null value
 * as a tombstone) every {@code kiln.routing.persist-interval-ms} and once more on close.
 * Compaction keeps the last value per key, so the topic holds one record per key however long
 * Kiln runs. Periodic rather than per job: learned state changes with every finished job, and
 * replicas and restarts need its recent state, not every step.
 *
 * <p>Threads: one daemon scheduler thread publishes; {@link #flush()} and {@link #close()} may
 * be called from any thread.
 */
public final class KeyedStatePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyedStatePublisher.class);

    private final KeyedState state;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService timer;
    /** Changes drained from the state but not yet acknowledged by the broker; retried on the next flush. */
    private final Map<String, byte[]> unacknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    private static final byte[] TOMBSTONE = new byte[0];
    private boolean closed;

    private KeyedStatePublisher(KafkaSettings settings, KeyedState state, long intervalMs) {
        this.state = state;
        Map<String, Object> p = new HashMap<>(settings.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kiln-state-" + state.name());
        this.producer = new KafkaProducer<>(p);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-" + state.name() + "-publisher");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::flushQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Starts publishing {@code state}'s changes every {@code intervalMs} (&gt; 0). */
    public static KeyedStatePublisher start(KafkaSettings settings, KeyedState state, long intervalMs) {
        if (intervalMs <= 0) throw new IllegalArgumentException("kiln.routing.persist-interval-ms must be > 0 to publish, was " + intervalMs);
        return new KeyedStatePublisher(settings, state, intervalMs);
    }

    /**
     * Publishes every change since the last flush (and any earlier change the broker did not
     * acknowledge), waits for the broker's acknowledgement, returns how many were sent. A change
     * whose send fails stays pending for the next flush instead of being lost: the state drains
     * its changes once, so the publisher is what must remember them.
     */
    public synchronized int flush() {
        if (closed) return 0;
        state.changes().forEach((k, v) -> unacknowledged.put(k, v == null ? TOMBSTONE : v));
        Map<String, byte[]> batch = new HashMap<>(unacknowledged);
        for (Map.Entry<String, byte[]> e : batch.entrySet()) {
            byte[] sent = e.getValue();
            producer.send(new ProducerRecord<>(KilnTopics.STATE, e.getKey(), sent == TOMBSTONE ? null : sent), (md, ex) -> {
                if (ex != null) LOG.warn("could not write {} to {} (retried on the next flush): {}", e.getKey(), KilnTopics.STATE, ex.toString());
                else unacknowledged.remove(e.getKey(), sent); // a newer change for the key stays pending
            });
        }
        producer.flush();
        return batch.size();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("publishing {} state failed: {}", state.name(), e.toString());
        }
    }

    @Override
    public void close() {
        // Let a running periodic flush finish: interrupting it mid-send would drop what it drained.
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) timer.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        producer.close(Duration.ofSeconds(5));
    }
}
