package dev.kiln.deploy;

import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpressure through a real broker: with a queue of one job and one worker, a burst of jobs
 * on kiln.jobs overfills the queue again and again; the Kafka adapter must pause and retry
 * rather than reject or drop, so every job still succeeds. The refusal counter on /metrics
 * shows the queue really was full (otherwise the test would show nothing).
 */
class BackpressureTest {
    @TempDir
    Path data;

    @Test
    void aFullQueuePausesConsumptionAndEveryJobStillSucceeds() throws Exception {
        int jobs = 40;
        try (KilnService kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.WORKERS.name(), "1",
                KilnConfig.QUEUE_CAPACITY.name(), "1",
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000",
                KilnConfig.ROUTING_CALIBRATE.name(), "false")))) {
            Set<String> ids = new HashSet<>();
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kiln.bootstrapServers())) {
                for (int i = 0; i < jobs; i++) {
                    String id = "bp-" + i;
                    ids.add(id);
                    p.send(KafkaClients.jobRecord("bp", id,
                            // Pinned to the cpu backend: with several backends the router would spread the burst
                            // over their queues and this one might never fill.
                            ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":48},"
                                    + "\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"backend\":\"cpu\",\"tolerance\":1e-9}}")
                                    .getBytes(StandardCharsets.UTF_8)));
                }
                p.flush();
            }
            KafkaClients.assertEveryJobSucceeded(kiln.bootstrapServers(), ids);
            String metrics = kiln.runtime().metrics().scrape();
            double refused = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("kiln_jobs_refused_total{")) refused += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
            assertTrue(refused > 0, "the queue of one was full at least once, so the adapter had to hold back:\n" + metrics);
        }
    }
}
