package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln demo}: starts Kiln on the embedded default, publishes a short stream of linear
 * jobs to {@code kiln.jobs} with a plain Kafka producer (as a user's pipeline would), prints
 * each result from {@code kiln.results} as it arrives, and exits. Runs on the main thread.
 */
final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofMinutes(3);

    private Demo() { }

    static int run(KilnConfig config, PrintStream out) throws Exception {
        try (KilnService s = KilnService.start(config)) {
            KilnMain.printBanner(s, out);
            Map<String, byte[]> jobs = jobs();
            out.println();
            out.println("Publishing " + jobs.size() + " jobs to " + KilnTopics.JOBS + " (family 'heat-2d' keyed together, "
                    + "a 3D problem, a SuiteSparse matrix, one invalid job, one message that is not JSON):");
            out.println();
            String header = String.format("%-22s %-9s %-13s %-27s %6s %10s %7s  %s", "id", "status", "backend", "method",
                    "iters", "residual", "ms", "note");
            out.println(header);
            out.println("-".repeat(header.length() + 20));
            int failures = 0;
            try (KafkaConsumer<byte[], byte[]> results = resultsConsumer(s.bootstrapServers());
                 KafkaProducer<byte[], byte[]> producer = producer(s.bootstrapServers())) {
                for (Map.Entry<String, byte[]> e : jobs.entrySet()) {
                    String key = e.getKey().startsWith("heat-2d") ? "heat-2d" : e.getKey();
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, key.getBytes(StandardCharsets.UTF_8), e.getValue());
                    r.headers().add(KafkaHeaders.JOB_ID, e.getKey().getBytes(StandardCharsets.UTF_8));
                    r.headers().add(KafkaHeaders.CORRELATION_ID, ("demo-" + e.getKey()).getBytes(StandardCharsets.UTF_8));
                    producer.send(r);
                }
                producer.flush();
                Set<String> waiting = new java.util.HashSet<>(jobs.keySet());
                long end = System.nanoTime() + WAIT.toNanos();
                while (!waiting.isEmpty() && System.nanoTime() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(200))) {
                        JsonNode res = JSON.readTree(r.value());
                        String id = res.path("id").asText();
                        if (!waiting.remove(id)) continue;
                        out.println(row(res));
                        String status = res.path("status").asText();
                        boolean expected = id.startsWith("invalid") || id.startsWith("not-json") ? status.equals("rejected") : status.equals("succeeded");
                        if (!expected) failures++;
                    }
                }
                if (!waiting.isEmpty()) {
                    out.println("no result within " + WAIT.toMinutes() + " min for: " + waiting);
                    return 1;
                }
            }
            out.println();
            out.println(failures == 0 ? "Demo finished: every job got its result; the bad ones were rejected (and dead-lettered on "
                    + KilnTopics.DEAD_LETTER + ")." : "Demo finished with " + failures + " unexpected status(es).");
            return failures == 0 ? 0 : 1;
        }
    }

    private static String row(JsonNode r) {
        String note = r.has("error") ? r.path("error").path("code").asText() + ": " + r.path("error").path("message").asText() : "";
        if (note.length() > 90) note = note.substring(0, 87) + "...";
        return String.format("%-22s %-9s %-13s %-27s %6s %10s %7s  %s",
                r.path("id").asText(), r.path("status").asText(), r.path("backend").asText("-"), r.path("method").asText("-"),
                r.has("iterations") ? r.path("iterations").asText() : "-",
                r.has("residualNorm") ? String.format("%.2e", r.path("residualNorm").asDouble()) : "-",
                r.path("timing").path("totalMs").asText("-"), note);
    }

    /** The demo stream, in publishing order. */
    static Map<String, byte[]> jobs() throws IOException {
        Map<String, byte[]> jobs = new LinkedHashMap<>();
        int step = 0;
        for (int nx : new int[] {32, 48, 64, 96, 128}) {
            String id = "heat-2d-step-" + step++;
            ObjectNode j = JSON.createObjectNode();
            j.put("id", id).put("kind", "linear").put("family", "heat-2d");
            ObjectNode p = j.putObject("problem");
            p.putObject("matrix").put("generator", "poisson2d").put("nx", nx).put("ny", nx);
            p.putObject("rhs").put("generator", "random").put("seed", step);
            j.putObject("options").put("tolerance", 1e-8);
            jobs.put(id, JSON.writeValueAsBytes(j));
        }
        ObjectNode j3 = JSON.createObjectNode();
        j3.put("id", "poisson3d-24").put("kind", "linear");
        ObjectNode p3 = j3.putObject("problem");
        p3.putObject("matrix").put("generator", "poisson3d").put("nx", 24).put("shift", 0.1);
        p3.putObject("rhs").put("generator", "a-times-ones");
        j3.putObject("options").put("tolerance", 1e-10);
        jobs.put("poisson3d-24", JSON.writeValueAsBytes(j3));

        ObjectNode mm = JSON.createObjectNode();
        mm.put("id", "suitesparse-gr_30_30").put("kind", "linear");
        ObjectNode pm = mm.putObject("problem");
        pm.putObject("matrix").put("format", "matrix-market").put("text", resource("demo/gr_30_30.mtx"));
        pm.putObject("rhs").put("generator", "ones");
        mm.putObject("options").put("tolerance", 1e-8);
        jobs.put("suitesparse-gr_30_30", JSON.writeValueAsBytes(mm));

        jobs.put("invalid-colidx", ("{\"id\":\"invalid-colidx\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"csr\","
                + "\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[0,7],\"values\":[2,2]},\"rhs\":[1,1]}}")
                .getBytes(StandardCharsets.UTF_8));
        jobs.put("not-json", "solve this please".getBytes(StandardCharsets.UTF_8));
        return jobs;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource " + name + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.CLIENT_ID_CONFIG, "kiln-demo"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Reads kiln.results from its current end, without a group (a viewer, not a worker). */
    private static KafkaConsumer<byte[], byte[]> resultsConsumer(String bootstrap) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.CLIENT_ID_CONFIG, "kiln-demo-results"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo pi : c.partitionsFor(KilnTopics.RESULTS)) parts.add(new TopicPartition(pi.topic(), pi.partition()));
        c.assign(parts);
        c.seekToEnd(parts);
        for (TopicPartition tp : parts) c.position(tp); // resolve "end" now, before the jobs go out
        return c;
    }
}
