package dev.kiln.deploy.bench.routing;

import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.runtime.wire.JobDecoder;
import dev.kiln.runtime.wire.WireLimits;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.qubo.BeasleyReader;
import dev.kiln.solvers.qubo.GsetReader;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.TrainOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The routing bench's mixed workload: its shares, fixed work per job, and every document decodes. */
class MixedWorkloadTest {
    /** ../shared/data/qubo from the repository (the tests run in deploy/). */
    private static final Path DATA = Path.of("../../shared/data/qubo").toAbsolutePath().normalize();
    private static List<MixedWorkload.QuboInstance> instances;
    private final JobDecoder decoder = new JobDecoder(WireLimits.defaults(), new MatrixStore(1_000_000));

    @BeforeAll
    static void readInstances() {
        assumeTrue(Files.isDirectory(DATA), DATA + " absent");
        instances = MixedWorkload.quboInstances(DATA);
    }

    @Test
    void everyBlockOfTwentyIsFourteenLinearThreeQuboThreeTrain() throws Exception {
        List<String> docs = MixedWorkload.documents(200, 42, 24, instances);
        Map<JobKind, Integer> count = new EnumMap<>(JobKind.class);
        for (int b = 0; b < 200; b += MixedWorkload.BLOCK) {
            Map<String, Integer> inBlock = new java.util.HashMap<>();
            for (int i = b; i < b + MixedWorkload.BLOCK; i++) inBlock.merge(MixedWorkload.kindOf(docs.get(i)), 1, Integer::sum);
            assertEquals(Map.of("linear", 14, "qubo", 3, "train", 3), inBlock, "block at " + b);
        }
        for (String d : docs) count.merge(decoder.decode(d).kind(), 1, Integer::sum);
        assertEquals(Map.of(JobKind.LINEAR, 140, JobKind.QUBO, 30, JobKind.TRAIN, 30), count);
        // Interleaved, not grouped: a QUBO and a train job within the first ten.
        assertTrue(docs.subList(0, 10).stream().anyMatch(d -> MixedWorkload.kindOf(d).equals("qubo")));
        assertTrue(docs.subList(0, 10).stream().anyMatch(d -> MixedWorkload.kindOf(d).equals("train")));
    }

    @Test
    void everyQuboAndTrainJobStatesAFixedAmountOfWork() throws Exception {
        boolean tngd = false;
        boolean digital = false;
        for (String d : MixedWorkload.documents(300, 7, 16, instances)) {
            Job j = decoder.decode(d);
            switch (j.kind()) {
                case QUBO -> {
                    QuboOptions o = j.options().kind(QuboOptions.class);
                    assertEquals(0, o.timeLimitMs(), "no time limit: " + d.substring(0, 80));
                    assertFalse(o.hasTarget(), "no target");
                    assertTrue(o.sweeps() >= MixedWorkload.MIN_SWEEPS && o.sweeps() <= MixedWorkload.MAX_SWEEPS, "sweeps " + o.sweeps());
                    assertEquals(MixedWorkload.REPLICAS, o.replicas());
                    assertEquals((long) MixedWorkload.TIMESTEPS_PER_SWEEP * o.sweeps(), o.timesteps());
                    assertTrue(j.problem() instanceof QuboProblem);
                }
                case TRAIN -> {
                    TrainOptions o = j.options().kind(TrainOptions.class);
                    assertTrue(o.epochs() >= 1 && o.epochs() <= 3, "epochs " + o.epochs());
                    assertTrue(j.problem() instanceof TrainProblem);
                    tngd |= o.optimizer().thermodynamic();
                    digital |= !o.optimizer().thermodynamic();
                    if (o.optimizer().thermodynamic()) assertEquals(128, o.batchSize());
                    else assertEquals(64, o.batchSize());
                }
                case LINEAR -> assertEquals("pcg", j.options().linear().method().wireName());
            }
        }
        assertTrue(tngd && digital, "both the thermodynamic and the digital optimizers appear");
    }

    @Test
    void theSameSeedGivesTheSameDocumentsAndAnotherSeedOthers() {
        assertEquals(MixedWorkload.documents(60, 3, 32, instances), MixedWorkload.documents(60, 3, 32, instances));
        assertNotEquals(MixedWorkload.documents(60, 3, 32, instances), MixedWorkload.documents(60, 4, 32, instances));
    }

    @Test
    void quboDocumentsDecodeToTheProblemTheFileReaderBuilds() throws Exception {
        // Beasley as qubo terms: the same linear terms and couplings (the reader's offset aside).
        QuboProblem file = BeasleyReader.read(DATA.resolve("bqp50-1.txt"));
        QuboProblem wire = (QuboProblem) decoder.decode("{\"kind\":\"qubo\",\"problem\":"
                + MixedWorkload.termsJson(file) + "}").problem();
        assertArrayEquals(file.linear(), wire.linear());
        assertArrayEquals(file.rowPtr(), wire.rowPtr());
        assertArrayEquals(file.colIdx(), wire.colIdx());
        assertArrayEquals(file.coupling(), wire.coupling());
        // G-set as maxcut edges: the QUBO GsetReader's graph converts to.
        QuboProblem g = GsetReader.read(DATA.resolve("g14.rud")).toQubo();
        QuboProblem gw = (QuboProblem) decoder.decode("{\"kind\":\"qubo\",\"problem\":"
                + MixedWorkload.gsetJson(DATA.resolve("g14.rud")) + "}").problem();
        assertEquals(QuboProblem.Origin.MAXCUT, gw.origin());
        assertArrayEquals(g.linear(), gw.linear());
        assertArrayEquals(g.colIdx(), gw.colIdx());
        assertArrayEquals(g.coupling(), gw.coupling());
    }

    @Test
    void aMissingInstanceFolderIsNamed() {
        Path nowhere = DATA.resolve("no-such-folder");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixedWorkload.quboInstances(nowhere));
        assertTrue(e.getMessage().contains("g11.rud is missing") && e.getMessage().contains("--qubo-dir"), e.getMessage());
    }
}
