package dev.kiln.deploy.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.deploy.KilnService;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.EarliestFinishRouter;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Job;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --via-kafka}: the loaded world's sequential run with every job sent through Kafka —
 * {@link KilnService} as deployed on the embedded broker (its own ServiceLoader backends, the
 * learned router from its config), a plain producer publishing each document to {@code
 * kiln.jobs} and a group-less consumer reading its result from {@code kiln.results}, one job at
 * a time (the next is sent once the result is read and the service's lanes and bookings are
 * empty), each job's oracle row measured right after, on the bench's own instances of the same
 * backends ({@link Oracle}). Only the loaded world: the synthetic world's simulated devices are
 * not ServiceLoader backends, so a service cannot have them.
 *
 * <p>Cold start as the in-process run: no calibration, no persisted state
 * ({@code kiln.routing.calibrate=false}, {@code kiln.routing.persist-interval-ms=0}), recycling
 * off. The service's lanes are warmed first with the first jobs of each kind pinned to each
 * backend (as {@code RoutingBench.warmLanes}), and then every backend's model is reset
 * ({@code CostModel.reset}, what {@code DELETE /v1/backends/{id}/model} does): the warm-up's runs
 * are not learned. The exploration budget (burst + rate × decisions) does count the warm-up's
 * decisions, so the routed run may explore a little more than in-process.
 */
final class KafkaSequentialRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jobs of each kind per backend in the lanes' warm-up (as RoutingBench's LANE_WARM_UP_JOBS). */
    private static final int LANE_WARM_UP_JOBS = 4;

    private KafkaSequentialRun() { }

    /** Runs the workload through the service; returns the cumulative regret curve (%), as the in-process run. */
    static double[] run(List<Backend> oracleBackends, List<String> docs, Oracle oracle, int queueCapacity,
                    BenchReport report) throws Exception {
        Path data = Files.createTempDirectory("kiln-bench-mixed-kafka");
        Map<String, String> settings = new HashMap<>();
        settings.put(KilnConfig.KAFKA_PORT.name(), "0");
        settings.put(KilnConfig.HTTP_PORT.name(), "0");
        settings.put(KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString());
        settings.put(KilnConfig.QUEUE_CAPACITY.name(), Integer.toString(queueCapacity));
        settings.put(KilnConfig.RECYCLING_HISTORY.name(), "0");
        settings.put(KilnConfig.ROUTING_CALIBRATE.name(), "false");
        settings.put(KilnConfig.ROUTING_PERSIST_INTERVAL_MS.name(), "0");
        KilnConfig config = KilnConfig.of(settings);
        List<String> ids = oracleBackends.stream().map(Backend::id).toList();
        try (KilnService kiln = KilnService.start(config);
             KafkaProducer<byte[], byte[]> producer = TinyJobsRun.producer(kiln.bootstrapServers(), 1);
             KafkaConsumer<byte[], byte[]> results = TinyJobsRun.results(kiln.bootstrapServers())) {
            EarliestFinishRouter router = (EarliestFinishRouter) kiln.runtime().router();
            List<String> serviceIds = kiln.runtime().backends().all().stream()
                    .filter(h -> h.usable()).map(h -> h.backend().id()).toList();
            if (!serviceIds.containsAll(ids)) {
                throw new IllegalStateException("the service's backends " + serviceIds + " lack some of the loaded world's " + ids);
            }
            oracle.warmUp();
            int warm = 0;
            for (int i : Oracle.firstOfEachKind(docs, LANE_WARM_UP_JOBS)) {
                Job job = kiln.runtime().decoder().decode(docs.get(i));
                for (var h : kiln.runtime().backends().all()) {
                    if (!h.usable() || !ids.contains(h.backend().id()) || !h.backend().supports(job).supported()) continue;
                    String id = "warm-" + (warm++);
                    String doc = withId(docs.get(i), id).replace("\"options\":{", "\"options\":{\"backend\":\"" + h.backend().id() + "\",");
                    JsonNode r = roundTrip(producer, results, id, doc);
                    if (!"succeeded".equals(r.path("status").asText()) || !h.backend().id().equals(r.path("backend").asText())) {
                        throw new IllegalStateException("warm-up job on " + h.backend().id() + ": " + r);
                    }
                }
            }
            RoutingBench.awaitIdle(kiln.runtime(), router, serviceIds);
            router.costModel().ifPresent(m -> serviceIds.forEach(m::reset));
            report.progress("loaded via kafka: " + warm + " warm-up jobs pinned to each backend, models reset; " + docs.size() + " jobs one at a time");

            SequentialScore score = new SequentialScore(docs.size());
            double[] latency = new double[docs.size()];
            int measured = 0;
            for (int j = 0; j < docs.size(); j++) {
                Job job = kiln.runtime().decoder().decode(docs.get(j));
                if (!Oracle.any(Oracle.capable(oracleBackends, job))) {
                    score.skip();
                    continue;
                }
                String id = "mixed-" + j;
                long sent = System.nanoTime();
                JsonNode r = roundTrip(producer, results, id, withId(docs.get(j), id));
                latency[measured++] = (System.nanoTime() - sent) / 1e6;
                if (!"succeeded".equals(r.path("status").asText())) throw new IllegalStateException("job " + j + ": " + r);
                RoutingBench.awaitIdle(kiln.runtime(), router, serviceIds);
                int b = ids.indexOf(r.path("backend").asText());
                if (b < 0) throw new IllegalStateException("job " + j + " ran on " + r.path("backend").asText() + ", not one of " + ids);
                Oracle.Row row = oracle.row(j);
                score.add(j, job.kind().wireName(), row, b, r.path("routing").path("explored").asBoolean(false));
                if (Boolean.getBoolean("kiln.bench.trace")) {
                    report.progress("kafka " + j + " t=" + java.util.Arrays.toString(row.median()) + " chose " + r.path("backend").asText()
                            + " solve_ms=" + r.path("timing").path("solveMs").asDouble() + " " + r.path("routing"));
                }
            }
            Map<String, Object> f = score.fields(ids);
            double[] lat = java.util.Arrays.copyOf(latency, measured);
            java.util.Arrays.sort(lat);
            f.put("send_to_result_p50_ms", TinyPass.percentile(lat, 0.50));
            f.put("send_to_result_p99_ms", TinyPass.percentile(lat, 0.99));
            f.put("oracle", oracle.measuredFirst() ? "first" : "interleaved");
            report.record("loaded-kafka-sequential", f);
            return score.median.curve();
        } finally {
            TinyJobsRun.deleteTree(data);
        }
    }

    /** A workload document with a client-chosen id (the documents start with {@code {"kind"}). */
    static String withId(String doc, String id) {
        if (!doc.startsWith("{")) throw new IllegalArgumentException("not a JSON object: " + doc.substring(0, Math.min(40, doc.length())));
        return "{\"id\":\"" + id + "\"," + doc.substring(1);
    }

    /** Publishes one job and reads its result (by key) from kiln.results; 10 minutes at most. */
    private static JsonNode roundTrip(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> results, String id, String doc)
            throws Exception {
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(KilnTopics.JOBS, id.getBytes(StandardCharsets.UTF_8), doc.getBytes(StandardCharsets.UTF_8));
        rec.headers().add(KafkaHeaders.JOB_ID, id.getBytes(StandardCharsets.UTF_8));
        producer.send(rec).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(20))) {
                if (r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8))) return JSON.readTree(r.value());
            }
        }
        throw new IllegalStateException("no result for " + id + " within 10 minutes");
    }
}
