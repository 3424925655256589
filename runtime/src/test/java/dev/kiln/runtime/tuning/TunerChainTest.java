package dev.kiln.runtime.tuning;

import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.SolveOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TunerChainTest {
    /** Records calls; describes a family with one key. */
    static final class Recording implements Tuner {
        final String name;
        final List<String> log;

        Recording(String name, List<String> log) { this.name = name; this.log = log; }

        public Job tune(Job job) { log.add("tune " + name + " " + job.id()); return new Job(job.id() + name, job.kind(), job.family(), job.context(), job.problem(), job.options()); }
        public SolveOutcome learn(Job job, SolveOutcome o, long nanos) { log.add("learn " + name + " " + job.id()); return o; }
        public Optional<Map<String, Object>> describe(String family) { return Optional.of(Map.of(name, family)); }
        public Map<String, String> snapshot() { return Map.of("k/" + name, name); }
        public void restore(String key, String json) { log.add("restore " + name + " " + key); }
    }

    @Test
    void tunersTuneInOrderAndLearnInReverseOrder() {
        List<String> log = new ArrayList<>();
        TunerChain chain = new TunerChain(new Recording("A", log), new Recording("B", log));
        Job j = new Job("j", JobKind.LINEAR, "f", null, null, new JobOptions("auto", Objective.LATENCY, 0, 1, LinearOptions.defaults()));
        Job tuned = chain.tune(j);
        assertEquals("jAB", tuned.id());
        chain.learn(tuned, null, 0);
        assertEquals(List.of("tune A j", "tune B jA", "learn B jAB", "learn A jAB"), log);
    }

    @Test
    void describeSnapshotAndRestoreCoverEveryTuner() {
        List<String> log = new ArrayList<>();
        TunerChain chain = new TunerChain(new Recording("A", log), new Recording("B", log), Tuner.NONE);
        assertEquals(Map.of("A", "f", "B", "f"), chain.describe("f").orElseThrow());
        assertEquals(Map.of("k/A", "A", "k/B", "B"), chain.snapshot());
        chain.restore("k/A", "{}");
        assertEquals(List.of("restore A k/A", "restore B k/A"), log);
    }
}
