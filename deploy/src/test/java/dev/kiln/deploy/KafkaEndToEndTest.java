package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end through a real Kafka broker (KRaft, in-process) and the whole service: a
 * stream of valid, invalid and unparseable jobs goes in on kiln.jobs; exactly one result per
 * job comes out, valid solutions check out against the matrices rebuilt here, and the bad
 * messages are rejected and dead-lettered with their original bytes.
 */
class KafkaEndToEndTest {
    @TempDir
    static Path data;
    static KilnService kiln;

    @BeforeAll
    static void start() throws Exception {
        kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.WORKERS.name(), "2",
                KilnConfig.ROUTING_CALIBRATE.name(), "false")));
    }

    @AfterAll
    static void stop() {
        if (kiln != null) kiln.close();
    }

    /** A job the test can check: its matrix and whether it should succeed. */
    record Sent(String id, byte[] bytes, CsrMatrix matrix, String expectedStatus, String expectedCode, String replyTo) { }

    @Test
    void fiftyJobsInFiftyResultsOut() throws Exception {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int nx = 6 + 3 * i;
            String id = "e2e-poisson2d-" + i;
            sent.add(new Sent(id, linear(id, "{\"generator\":\"poisson2d\",\"nx\":" + nx + "}", 1e-9), PoissonGenerator.poisson2d(nx, nx),
                    "succeeded", null, i % 8 == 3 ? "client-replies" : null));
        }
        for (int i = 0; i < 6; i++) {
            int n = 4 + 2 * i;
            String id = "e2e-poisson3d-" + i;
            sent.add(new Sent(id, linear(id, "{\"generator\":\"poisson3d\",\"nx\":" + n + ",\"shift\":0.5}", 1e-10),
                    PoissonGenerator.poisson3d(n, n, n, 0.5), "succeeded", null, null));
        }
        // A small COO matrix with a duplicate entry (summed): [[4,1],[1,3]].
        String cooId = "e2e-coo";
        sent.add(new Sent(cooId, linear(cooId, "{\"format\":\"coo\",\"rows\":2,\"cols\":2,\"row\":[0,0,1,1,0],"
                + "\"col\":[0,1,0,1,0],\"values\":[3,1,1,3,1]}", 1e-12),
                CsrMatrix.of(2, 2, new int[] {0, 2, 4}, new int[] {0, 1, 0, 1}, new double[] {4, 1, 1, 3}), "succeeded", null, null));
        String csrId = "e2e-csr";
        sent.add(new Sent(csrId, linear(csrId, "{\"format\":\"csr\",\"rows\":3,\"cols\":3,\"rowPtr\":[0,2,5,7],"
                + "\"colIdx\":[0,1,0,1,2,1,2],\"values\":[2,-1,-1,2,-1,-1,2]}", 1e-12),
                CsrMatrix.of(3, 3, new int[] {0, 2, 5, 7}, new int[] {0, 1, 0, 1, 2, 1, 2}, new double[] {2, -1, -1, 2, -1, -1, 2}),
                "succeeded", null, null));
        // Invalid jobs: JSON objects with a fault the rejection must name.
        sent.add(invalid("e2e-bad-colidx", "{\"format\":\"csr\",\"rows\":2,\"cols\":2,\"rowPtr\":[0,1,2],\"colIdx\":[0,9],\"values\":[1,1]}",
                "INVALID_PROBLEM"));
        sent.add(invalid("e2e-bad-square", "{\"format\":\"coo\",\"rows\":2,\"cols\":3,\"row\":[0],\"col\":[0],\"values\":[1]}",
                "INVALID_PROBLEM"));
        sent.add(invalid("e2e-bad-rows", "{\"format\":\"csr\",\"rows\":-4,\"cols\":2,\"rowPtr\":[0],\"colIdx\":[],\"values\":[]}",
                "INVALID_PROBLEM"));
        sent.add(new Sent("e2e-bad-method", ("{\"id\":\"e2e-bad-method\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":4}},\"options\":{\"method\":\"magic\"}}").getBytes(StandardCharsets.UTF_8),
                null, "rejected", "INVALID_OPTIONS", null));
        sent.add(new Sent("e2e-huge", ("{\"id\":\"e2e-huge\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson3d\",\"nx\":100000}}}").getBytes(StandardCharsets.UTF_8), null, "rejected", "TOO_LARGE", null));
        // Unparseable byte strings: their id comes from the kiln-job-id header.
        byte[][] junk = {
                "not json at all".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"cut-off\",\"kind\":\"lin".getBytes(StandardCharsets.UTF_8),
                "[1,2,3]".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2},
                ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8)};
        for (int i = 0; i < junk.length; i++) sent.add(new Sent("e2e-junk-" + i, junk[i], null, "rejected", "UNPARSEABLE", null));
        assertEquals(50, sent.size());

        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kiln.bootstrapServers())) {
            for (Sent s : sent) {
                ProducerRecord<byte[], byte[]> r = KafkaClients.jobRecord(s.id(), s.id(), s.bytes());
                r.headers().add(KafkaHeaders.CORRELATION_ID, ("corr-" + s.id()).getBytes(StandardCharsets.UTF_8));
                if (s.replyTo() != null) r.headers().add(KafkaHeaders.REPLY_TO, s.replyTo().getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        }

        Map<String, Sent> byId = new LinkedHashMap<>();
        for (Sent s : sent) byId.put(s.id(), s);
        Set<String> replyIds = new HashSet<>();
        for (Sent s : sent) if (s.replyTo() != null) replyIds.add(s.id());

        List<ConsumerRecord<byte[], byte[]>> results;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(kiln.bootstrapServers(), KilnTopics.RESULTS)) {
            results = KafkaClients.readUntil(c, all -> all.size() >= 50 - replyIds.size(), Duration.ofMinutes(3));
            // Linger a little to catch duplicates.
            results.addAll(KafkaClients.readUntil(c, all -> false, Duration.ofSeconds(2)));
        }
        List<ConsumerRecord<byte[], byte[]>> replies;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(kiln.bootstrapServers(), "client-replies")) {
            replies = KafkaClients.readUntil(c, all -> all.size() >= replyIds.size(), Duration.ofMinutes(1));
        }
        Map<String, Integer> count = new HashMap<>();
        Map<String, ConsumerRecord<byte[], byte[]>> resultById = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : results) {
            String id = KafkaClients.json(r.value()).path("id").asText();
            count.merge(id, 1, Integer::sum);
            resultById.put(id, r);
            assertTrue(!replyIds.contains(id), id + " asked for its result on client-replies but it came on kiln.results");
        }
        for (ConsumerRecord<byte[], byte[]> r : replies) {
            String id = KafkaClients.json(r.value()).path("id").asText();
            count.merge(id, 1, Integer::sum);
            resultById.put(id, r);
        }
        assertEquals(byId.keySet(), count.keySet(), "every job gets a result, and nothing else comes out");
        count.forEach((id, n) -> assertEquals(1, n, id + " got " + n + " results"));

        for (Sent s : sent) {
            ConsumerRecord<byte[], byte[]> r = resultById.get(s.id());
            JsonNode res = KafkaClients.json(r.value());
            assertEquals(s.expectedStatus(), res.path("status").asText(), s.id() + ": " + res);
            assertEquals(s.id(), header(r, KafkaHeaders.JOB_ID), "kiln-job-id header");
            assertEquals("corr-" + s.id(), header(r, KafkaHeaders.CORRELATION_ID), "correlation-id carried over");
            if (s.expectedCode() != null) {
                assertEquals(s.expectedCode(), res.path("error").path("code").asText(), s.id() + ": " + res);
                assertTrue(res.path("error").path("message").asText().length() > 10, s.id() + " has a clear message");
            } else {
                assertTrue(res.path("residualNorm").asDouble() <= 1e-9, s.id() + " residual " + res.path("residualNorm"));
                double[] x = new double[res.path("solution").size()];
                for (int i = 0; i < x.length; i++) x[i] = res.path("solution").get(i).asDouble();
                double trueResidual = relativeResidual(s.matrix(), x);
                assertTrue(trueResidual <= 1e-9 * 1.01, s.id() + ": true residual " + trueResidual);
            }
        }
        assertTrue(resultById.get("e2e-bad-colidx").value().length > 0);
        assertTrue(KafkaClients.json(resultById.get("e2e-bad-colidx").value()).path("error").path("message").asText()
                .contains("problem.matrix.colIdx[1]"), "rejection names the field");

        // The ten bad messages are on the dead-letter topic with their original bytes and where they came from.
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(kiln.bootstrapServers(), KilnTopics.DEAD_LETTER)) {
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaClients.readUntil(c, all -> all.size() >= 10, Duration.ofMinutes(1));
            assertEquals(10, dead.size());
            for (ConsumerRecord<byte[], byte[]> d : dead) {
                Sent s = byId.get(header(d, KafkaHeaders.JOB_ID));
                assertNotNull(s, "dead letter of an unknown message");
                assertArrayEquals(s.bytes(), d.value(), "original bytes kept");
                assertEquals(KilnTopics.JOBS, header(d, KafkaHeaders.DLT_ORIGINAL_TOPIC));
                assertNotNull(header(d, KafkaHeaders.DLT_ORIGINAL_OFFSET));
                assertEquals(s.expectedCode(), header(d, KafkaHeaders.ERROR_CODE));
            }
        }
    }

    private static Sent invalid(String id, String matrix, String code) {
        return new Sent(id, linear(id, matrix, 1e-8), null, "rejected", code, null);
    }

    /** A linear job with b = A·1 and the solution returned. */
    static byte[] linear(String id, String matrixJson, double tol) {
        return ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"family\":\"e2e\",\"problem\":{\"matrix\":" + matrixJson
                + ",\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"tolerance\":" + tol + ",\"returnSolution\":true}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static double relativeResidual(CsrMatrix a, double[] x) {
        double[] ones = new double[a.rows()];
        java.util.Arrays.fill(ones, 1);
        double[] b = new double[a.rows()];
        a.multiply(ones, b);
        double[] ax = new double[a.rows()];
        a.multiply(x, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < b.length; i++) {
            rr += (b[i] - ax[i]) * (b[i] - ax[i]);
            bb += b[i] * b[i];
        }
        return Math.sqrt(rr / bb);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
