package dev.kiln.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln submit ... --bootstrap HOST:PORT}: the CLI as a Kafka client, the way a
 * user's pipeline talks to Kiln. Publishes the job to {@code kiln.jobs} (keyed by its family,
 * else its id; header {@code kiln-job-id}); with {@code --wait}, reads {@code kiln.progress}
 * and {@code kiln.results} from their ends (no consumer group: a viewer, not a worker) until
 * the job's result arrives. Main thread.
 */
final class KafkaSubmission {
    static final int SUCCEEDED = 0, ACCEPTED = 10, TIMEOUT = 11, FAILED_CODE = 12, REJECTED_CODE = 13, STOPPED_CODE = 14,
            UNREACHABLE_CODE = 15;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A job's result is awaited at most this long; the job keeps running after the CLI gives up. */
    private static final Duration WAIT = Duration.ofHours(1);

    private KafkaSubmission() { }

    static int submit(String bootstrap, ObjectNode job, boolean wait, boolean json, double tol, PrintStream out) throws IOException {
        String id = job.path("id").asText();
        String key = job.hasNonNull("family") ? job.path("family").asText() : id;
        try (KafkaConsumer<byte[], byte[]> viewer = wait ? viewer(bootstrap) : null;
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                     ProducerConfig.CLIENT_ID_CONFIG, "kiln-cli"), new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, key.getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(job));
            r.headers().add(KafkaHeaders.JOB_ID, id.getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
            if (!wait) {
                out.println(json ? JSON.createObjectNode().put("id", id).put("status", "published").toString() : id);
                return ACCEPTED;
            }
            if (!json) System.err.println("published " + id + " to " + KilnTopics.JOBS + " on " + bootstrap);
            ProgressBar bar = new ProgressBar(tol);
            boolean terminal = System.console() != null;
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> rec : viewer.poll(Duration.ofMillis(200))) {
                    JsonNode d = JSON.readTree(rec.value());
                    if (!id.equals(d.path("id").asText())) continue;
                    if (rec.topic().equals(KilnTopics.PROGRESS)) {
                        if (json) out.println(d);
                        else if (terminal) System.err.print("\r" + bar.render(d.path("iteration").asInt(), d.path("residual").asDouble(), d.path("elapsedMs").asLong()));
                        continue;
                    }
                    if (terminal && !json) System.err.println();
                    out.println(json ? d.toString() : summary(d, rec));
                    return switch (d.path("status").asText()) {
                        case "succeeded" -> SUCCEEDED;
                        case "rejected" -> REJECTED_CODE;
                        case "cancelled", "timed_out" -> STOPPED_CODE;
                        default -> FAILED_CODE;
                    };
                }
            }
            return TIMEOUT;
        } catch (KafkaException e) {
            System.err.println("kiln: Kafka at " + bootstrap + " failed: " + e.getMessage());
            return UNREACHABLE_CODE;
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("kiln: could not publish to " + bootstrap + ": " + e.getCause());
            return UNREACHABLE_CODE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED_CODE;
        }
    }

    private static String summary(JsonNode d, ConsumerRecord<byte[], byte[]> rec) {
        StringBuilder b = new StringBuilder(d.path("id").asText()).append("  ").append(d.path("status").asText());
        if (d.has("backend")) b.append("  backend=").append(d.path("backend").asText());
        if (d.has("method")) b.append("  method=").append(d.path("method").asText());
        if (d.has("iterations")) b.append("  iterations=").append(d.path("iterations").asInt());
        if (d.has("residualNorm")) b.append(String.format(java.util.Locale.ROOT, "  residual=%.3e", d.path("residualNorm").asDouble()));
        if (d.has("error")) b.append("\n  error ").append(d.path("error").path("code").asText()).append(": ").append(d.path("error").path("message").asText());
        Header h = rec.headers().lastHeader(KafkaHeaders.JOB_ID);
        if (h == null) b.append("  (no kiln-job-id header)");
        return b.toString();
    }

    /** Reads kiln.results and kiln.progress from their current ends, resolved before the job goes out. */
    private static KafkaConsumer<byte[], byte[]> viewer(String bootstrap) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.CLIENT_ID_CONFIG, "kiln-cli-viewer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(KilnTopics.RESULTS, KilnTopics.PROGRESS)) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                c.close();
                throw new KafkaException("topic " + topic + " does not exist: is Kiln running against this cluster?");
            }
            for (PartitionInfo pi : infos) parts.add(new TopicPartition(topic, pi.partition()));
        }
        c.assign(parts);
        c.seekToEnd(parts);
        for (TopicPartition tp : parts) c.position(tp);
        return c;
    }
}
