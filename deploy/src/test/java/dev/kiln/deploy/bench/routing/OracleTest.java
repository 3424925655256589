package dev.kiln.deploy.bench.routing;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.runtime.wire.JobDecoder;
import dev.kiln.runtime.wire.WireLimits;
import dev.kiln.spi.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The routing bench's oracle runs each job on the loaded backends that can run it, and only those. */
class OracleTest {
    /** Small documents of each kind, in the shape {@link MixedWorkload} writes them. */
    private static final String LINEAR = "{\"kind\":\"linear\",\"family\":\"poisson2d\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":8},"
            + "\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"tolerance\":1e-8,\"method\":\"pcg\",\"preconditioner\":\"jacobi\"}}";
    private static final String QUBO = "{\"kind\":\"qubo\",\"family\":\"t\",\"problem\":{\"maxcut\":{\"n\":4,\"edges\":[[0,1,1],[1,2,1],[2,3,1],[3,0,1]]}},"
            + "\"options\":{\"sweeps\":10,\"replicas\":2,\"timesteps\":100,\"seed\":1}}";
    private static final String ADAM = "{\"kind\":\"train\",\"family\":\"t\",\"problem\":{\"model\":{\"type\":\"logistic\"},"
            + "\"dataset\":{\"name\":\"breast-cancer\",\"seed\":1}},\"options\":{\"optimizer\":\"adam\",\"epochs\":1,\"batchSize\":64,\"seed\":1}}";
    private static final String TNGD = "{\"kind\":\"train\",\"family\":\"t\",\"problem\":{\"model\":{\"type\":\"logistic\"},"
            + "\"dataset\":{\"name\":\"breast-cancer\",\"seed\":1}},\"options\":{\"optimizer\":\"tngd\",\"epochs\":1,\"batchSize\":128,\"seed\":1}}";

    private static BackendRegistry registry;
    private static List<Backend> backends;
    private final JobDecoder decoder = new JobDecoder(WireLimits.defaults(), new MatrixStore(1_000_000));

    @BeforeAll
    static void load() {
        // The pure-Java backends; opencl only where a device is (then it must take linear and QUBO jobs).
        registry = BackendRegistry.load(OracleTest.class.getClassLoader(), Map.of());
        backends = registry.all().stream().filter(BackendHandle::usable).map(BackendHandle::backend).toList();
        List<String> ids = backends.stream().map(Backend::id).toList();
        assertTrue(ids.containsAll(List.of("cpu", "neuromorphic", "thermodynamic")), "loaded: " + ids);
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private List<String> capableIds(String doc) throws Exception {
        boolean[] c = Oracle.capable(backends, decoder.decode(doc));
        List<String> out = new java.util.ArrayList<>();
        for (int b = 0; b < c.length; b++) if (c[b]) out.add(backends.get(b).id());
        return out.stream().sorted().toList();
    }

    private boolean hasOpenCl() { return backends.stream().anyMatch(b -> b.id().equals("opencl")); }

    @Test
    void eachKindRunsOnItsCapableBackendsOnly() throws Exception {
        List<String> withCl = hasOpenCl() ? List.of("opencl") : List.of();
        // pcg names a Krylov method: the thermodynamic device relaxes and takes method auto only.
        assertEquals(sorted("cpu", withCl), capableIds(LINEAR));
        assertEquals(sorted("cpu", withCl, "neuromorphic"), capableIds(QUBO));
        assertEquals(List.of("cpu"), capableIds(ADAM));
        assertEquals(List.of("thermodynamic"), capableIds(TNGD));
    }

    @Test
    void aRowHasTimesForTheCapableBackendsAndNaNForTheOthers() throws Exception {
        List<String> docs = List.of(LINEAR, QUBO, ADAM, TNGD);
        Oracle oracle = new Oracle(backends, docs, KilnConfig.of(Map.of()));
        for (int j = 0; j < docs.size(); j++) {
            boolean[] can = Oracle.capable(backends, decoder.decode(docs.get(j)));
            Oracle.Row row = oracle.row(j);
            for (int b = 0; b < can.length; b++) {
                String what = "job " + j + " on " + backends.get(b).id() + ": " + row.median()[b];
                assertEquals(can[b], Double.isFinite(row.median()[b]) && row.median()[b] > 0, what);
                assertEquals(can[b], Double.isFinite(row.min()[b]) && row.min()[b] <= row.median()[b], what);
            }
        }
    }

    @Test
    void theWarmUpsReachEveryKind() {
        List<String> docs = List.of(LINEAR, LINEAR, LINEAR, QUBO, LINEAR, ADAM, QUBO, TNGD);
        assertEquals(List.of(0, 1, 3, 5, 6, 7), Oracle.firstOfEachKind(docs, 2));
    }

    @Test
    void aTngdJobHasNoCapableBackendInAWorldWithoutTheThermodynamicOne() throws Exception {
        // The synthetic world's devices are the CPU backend: the bench leaves such a job out of it.
        List<Backend> cpuAndEmulator = backends.stream().filter(b -> b.id().equals("cpu") || b.id().equals("neuromorphic")).toList();
        boolean[] c = Oracle.capable(cpuAndEmulator, decoder.decode(TNGD));
        assertArrayEquals(new boolean[] {false, false}, c);
        assertTrue(!Oracle.any(c) && Oracle.any(Oracle.capable(cpuAndEmulator, decoder.decode(ADAM))));
    }

    private static List<String> sorted(String first, List<String> more, String... rest) {
        List<String> out = new java.util.ArrayList<>(List.of(first));
        out.addAll(more);
        out.addAll(List.of(rest));
        return out.stream().sorted().toList();
    }

    private static List<String> sorted(String first, List<String> more) {
        return sorted(first, more, new String[0]);
    }
}
