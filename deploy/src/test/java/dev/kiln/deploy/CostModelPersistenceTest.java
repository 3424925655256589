package dev.kiln.deploy;

import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.routing.Prediction;
import dev.kiln.spi.Features;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost model survives a restart through the compacted kiln.state topic of a real broker:
 * the first Kiln calibrates and publishes {@code costmodel/cpu/linear} (and {@code …/qubo},
 * {@code …/train}); the second, with
 * calibration off, has the same backend-wide fit and iteration fits (the per-family fits and
 * size-bucket residuals are relearned). Other writers' keys (the tuner's
 * {@code tuner/…}) and a damaged cost-model record are left alone; a reset is a tombstone.
 */
class CostModelPersistenceTest {
    @TempDir
    Path data;

    private KilnConfig config(boolean calibrate) {
        return KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000",
                KilnConfig.ROUTING_CALIBRATE.name(), Boolean.toString(calibrate),
                KilnConfig.ROUTING_PERSIST_INTERVAL_MS.name(), "200"));
    }

    /** The persisted parts of the cpu backend's linear fit, as GET /v1/backends shows them. */
    static List<Object> fitOf(CostModel m) {
        var v = m.views("cpu").get(0);
        return List.of(v.samples(), v.sigmaLog(), v.exponent(), v.minWork(), v.maxWork(), v.compared(), v.meanAbsLogError());
    }

    static CostModel model(KilnService s) {
        return s.runtime().router().costModel().orElseThrow();
    }

    @Test
    void theLearnedModelIsRestoredFromKilnStateAfterARestart() throws Exception {
        Features probe = new Features(5_000, 25_000, 200, 0, Precision.FP64);
        Prediction before;
        long samples;
        long quboSamples;
        long trainSamples;
        List<Object> fit;
        double iterations;
        KilnService first = KilnService.start(config(true));
        try {
            before = model(first).predict("cpu", JobKind.LINEAR, probe);
            fit = fitOf(model(first));
            iterations = model(first).estimatedIterations("cpu", JobKind.LINEAR, null, probe);
            samples = model(first).samples("cpu", JobKind.LINEAR);
            assertTrue(samples > 0 && before.known(), "calibration taught the model: " + before);
            quboSamples = model(first).samples("cpu", JobKind.QUBO);
            trainSamples = model(first).samples("cpu", JobKind.TRAIN);
            assertTrue(quboSamples > 0 && trainSamples > 0, "calibration covers QUBO and train jobs: " + quboSamples + ", " + trainSamples);
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(first.bootstrapServers())) {
                p.send(new ProducerRecord<>(KilnTopics.STATE, bytes("tuner/heat-2d"), bytes("{\"omega\":1.7}")));
                p.send(new ProducerRecord<>(KilnTopics.STATE, bytes("costmodel/broken/linear"), bytes("{\"not\":\"a model\"}")));
                p.flush();
            }
        } finally {
            first.close();
        }

        KilnService second = KilnService.start(config(false));
        try {
            assertEquals(samples, model(second).samples("cpu", JobKind.LINEAR));
            // What is persisted: the backend-wide fit and the iteration fits. The per-family fits and
            // size-bucket residuals are relearned, so the prediction is the restored fit's, uncorrected.
            assertEquals(fit, fitOf(model(second)));
            assertEquals(iterations, model(second).estimatedIterations("cpu", JobKind.LINEAR, null, probe), 0);
            Prediction after = model(second).predict("cpu", JobKind.LINEAR, probe);
            assertTrue(after.known() && after.samples() == before.samples(), after + " vs " + before);
            assertEquals(0, model(second).samples("broken", JobKind.LINEAR), "a damaged record is skipped");

            assertEquals(quboSamples, model(second).samples("cpu", JobKind.QUBO));
            assertEquals(trainSamples, model(second).samples("cpu", JobKind.TRAIN));

            assertEquals(3, model(second).reset("cpu"), "linear, QUBO and train");
        } finally {
            second.close(); // publishes the reset
        }
        try (KilnService third = KilnService.start(config(false))) {
            assertEquals(0, model(third).samples("cpu", JobKind.LINEAR), "the reset reached kiln.state");
            try (KafkaConsumer<byte[], byte[]> c = KafkaClients.reader(third.bootstrapServers(), KilnTopics.STATE)) {
                List<ConsumerRecord<byte[], byte[]>> all = KafkaClients.readUntil(c, rs -> rs.size() >= 4, Duration.ofSeconds(30));
                ConsumerRecord<byte[], byte[]> last = null;
                boolean tuner = false;
                for (ConsumerRecord<byte[], byte[]> r : all) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (key.equals("costmodel/cpu/linear")) last = r;
                    tuner |= key.equals("tuner/heat-2d") && r.value() != null;
                }
                assertTrue(last != null, "costmodel/cpu/linear was written");
                assertNull(last.value(), "the last record of a reset model is a tombstone");
                assertTrue(tuner, "the tuner's key is untouched");
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
