package dev.kiln.kafka;

import dev.kiln.runtime.tuning.Tuner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes the tuner's snapshot ({@code tuner/<family>/<method>} → JSON arm statistics) to the
 * compacted {@code kiln.state} topic every interval and once more on close, only the keys whose
 * value changed since the last write. Same pattern and interval as
 * {@link CostModelStatePublisher}. Threads: one daemon scheduler thread; {@link #flush()} and
 * {@link #close()} from any thread.
 */
public final class TunerStatePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunerStatePublisher.class);

    private final Tuner tuner;
    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService timer;
    private final Map<String, String> written = new HashMap<>();
    private boolean closed;

    private TunerStatePublisher(KafkaSettings settings, Tuner tuner, long intervalMs) {
        this.tuner = tuner;
        Map<String, Object> p = new HashMap<>(settings.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kiln-state-tuner");
        this.producer = new KafkaProducer<>(p);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-tuner-publisher");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::flushQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    public static TunerStatePublisher start(KafkaSettings settings, Tuner tuner, long intervalMs) {
        if (intervalMs <= 0) throw new IllegalArgumentException("publish interval must be > 0, was " + intervalMs);
        return new TunerStatePublisher(settings, tuner, intervalMs);
    }

    /** Publishes the changed keys and waits for the broker's acknowledgement; returns how many. */
    public synchronized int flush() {
        if (closed) return 0;
        int n = 0;
        for (Map.Entry<String, String> e : tuner.snapshot().entrySet()) {
            if (e.getValue().equals(written.get(e.getKey()))) continue;
            producer.send(new ProducerRecord<>(KilnTopics.STATE, e.getKey(), e.getValue()), (md, ex) -> {
                if (ex != null) LOG.warn("could not write {} to {}: {}", e.getKey(), KilnTopics.STATE, ex.toString());
            });
            written.put(e.getKey(), e.getValue());
            n++;
        }
        producer.flush();
        return n;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("publishing tuner state failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        flushQuietly();
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
