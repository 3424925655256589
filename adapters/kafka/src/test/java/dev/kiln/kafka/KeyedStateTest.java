package dev.kiln.kafka;

import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.tuning.Tuner;
import dev.kiln.spi.Features;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-kind halves of kiln.state persistence, without a broker (the publisher and loader run
 * against the real broker in deploy's CostModelPersistenceTest and TunerPersistenceTest).
 */
class KeyedStateTest {
    @Test
    void costModelChangesRoundTripAndAResetIsATombstone() {
        CostModel a = new CostModel();
        for (long w = 1_000; w <= 64_000; w *= 2) a.observe("cpu", JobKind.LINEAR, new Features(0, w, 1, 0, Precision.FP64), w / 100.0, Double.NaN);
        KeyedState kind = new CostModelKeyedState(a);
        Map<String, byte[]> changes = kind.changes();
        assertEquals(java.util.Set.of("costmodel/cpu/linear"), changes.keySet());
        assertTrue(kind.changes().isEmpty(), "nothing changed since the last call");

        CostModel b = new CostModel();
        new CostModelKeyedState(b).apply("costmodel/cpu/linear", changes.get("costmodel/cpu/linear"));
        Features f = new Features(0, 12_345, 1, 0, Precision.FP64);
        // A family the original never ran: its backend-wide fit, which is what travels (per-family
        // fits and size-bucket residuals are relearned).
        assertEquals(a.predict("cpu", JobKind.LINEAR, "unseen", f), b.predict("cpu", JobKind.LINEAR, "unseen", f));

        a.reset("cpu");
        Map<String, byte[]> afterReset = kind.changes();
        assertTrue(afterReset.containsKey("costmodel/cpu/linear"));
        assertNull(afterReset.get("costmodel/cpu/linear"), "a reset model is a tombstone");
        assertThrows(IllegalArgumentException.class,
                () -> kind.apply("costmodel/x/linear", "{\"not\":\"a model\"}".getBytes(StandardCharsets.UTF_8)),
                "the loader skips what apply rejects");
    }

    @Test
    void tunerChangesAreTheKeysWhoseJsonDiffersFromTheLastCall() {
        SnapshotTuner tuner = new SnapshotTuner();
        tuner.state.put("tuner/heat/sor", "{\"ω\":1.7}");
        tuner.state.put("tuner/heat/method", "{\"version\":1}");
        KeyedState kind = new TunerKeyedState(tuner);
        Map<String, byte[]> first = kind.changes();
        assertEquals(2, first.size());
        assertArrayEquals("{\"ω\":1.7}".getBytes(StandardCharsets.UTF_8), first.get("tuner/heat/sor"), "UTF-8, as StringSerializer wrote it");
        assertTrue(kind.changes().isEmpty(), "unchanged JSON is not written again");
        tuner.state.put("tuner/heat/sor", "{\"ω\":1.8}");
        assertEquals(java.util.Set.of("tuner/heat/sor"), kind.changes().keySet());

        kind.apply("tuner/wave/sor", "{\"ω\":1.2}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"ω\":1.2}", tuner.restored.get("tuner/wave/sor"));
    }

    /** A tuner that is only its persisted state: what TunerKeyedState reads and writes. */
    private static final class SnapshotTuner implements Tuner {
        final Map<String, String> state = new LinkedHashMap<>();
        final Map<String, String> restored = new LinkedHashMap<>();

        public Job tune(Job job) { return job; }
        public SolveOutcome learn(Job job, SolveOutcome outcome, long solveNanos) { return outcome; }
        public Optional<Map<String, Object>> describe(String family) { return Optional.empty(); }
        public Map<String, String> snapshot() { return new LinkedHashMap<>(state); }
        public void restore(String key, String json) { restored.put(key, json); }
    }
}
