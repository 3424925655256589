package dev.kiln.deploy.cli;

import dev.kiln.deploy.KilnService;
import dev.kiln.runtime.config.KilnConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI client against a real running Kiln: exit codes a script can rely on. */
class KilnClientCommandTest {
    @TempDir
    static Path dir;
    static KilnService kiln;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), dir.resolve("kafka").toString(),
                KilnConfig.ROUTING_CALIBRATE.name(), "false")));
        url = "http://127.0.0.1:" + kiln.httpPort();
    }

    @AfterAll
    static void stop() {
        if (kiln != null) kiln.close();
    }

    private record Run(int code, String out) { }

    private static Run run(String command, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of("--url", url));
        all.addAll(List.of(args));
        int code = new KilnClientCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(command, all);
        return new Run(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void submitWithWaitPrintsTheResultAndExitsZero() throws Exception {
        Path job = dir.resolve("job.json");
        Files.writeString(job, "{\"id\":\"cli-1\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":24},"
                + "\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"tolerance\":1e-9}}");
        Run r = run("submit", job.toString(), "--wait", "--json");
        assertEquals(KilnClientCommand.OK, r.code(), r.out());
        assertTrue(r.out().contains("\"status\":\"succeeded\""), r.out());
        assertEquals(KilnClientCommand.OK, run("status", "cli-1").code());
    }

    @Test
    void aMatrixMarketFileIsSubmittedAsItIs() throws Exception {
        Path mtx = dir.resolve("small.mtx");
        Files.writeString(mtx, "%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n1 1 4\n2 1 1\n2 2 4\n3 2 1\n3 3 4\n");
        Run r = run("submit", "--mtx", mtx.toString(), "--wait");
        assertEquals(KilnClientCommand.OK, r.code(), r.out());
        assertTrue(r.out().contains("succeeded"), r.out());
    }

    @Test
    void aRejectedJobExitsThree() throws Exception {
        Path job = dir.resolve("bad.json");
        Files.writeString(job, "{\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":-3}}}");
        Run r = run("submit", job.toString());
        assertEquals(KilnClientCommand.REJECTED, r.code(), r.out());
        assertTrue(r.out().contains("problem.matrix.nx"), r.out());
    }

    @Test
    void submitOverKafkaWaitsForTheResultOnKilnResults() throws Exception {
        Path job = dir.resolve("kafka-job.json");
        Files.writeString(job, "{\"id\":\"cli-kafka\",\"kind\":\"linear\",\"family\":\"cli\",\"problem\":{\"matrix\":"
                + "{\"generator\":\"poisson2d\",\"nx\":20},\"rhs\":{\"generator\":\"a-times-ones\"}}}");
        Run r = run("submit", job.toString(), "--bootstrap", kiln.bootstrapServers(), "--wait", "--json");
        assertEquals(KilnClientCommand.OK, r.code(), r.out());
        assertTrue(r.out().contains("\"id\":\"cli-kafka\"") && r.out().contains("\"status\":\"succeeded\""), r.out());
    }

    @Test
    void aJobRejectedOverKafkaExitsThree() throws Exception {
        Path job = dir.resolve("kafka-bad.json");
        Files.writeString(job, "{\"id\":\"cli-kafka-bad\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson9d\"}}}");
        Run r = run("submit", job.toString(), "--bootstrap", kiln.bootstrapServers(), "--wait");
        assertEquals(KilnClientCommand.REJECTED, r.code(), r.out());
        assertTrue(r.out().contains("problem.matrix.generator"), r.out());
    }

    @Test
    void anUnknownJobExitsOne() {
        assertEquals(KilnClientCommand.FAILED, run("status", "no-such-job").code());
    }

    @Test
    void backendsListsTheCpuBackend() {
        Run r = run("backends");
        assertEquals(KilnClientCommand.OK, r.code());
        assertTrue(r.out().contains("cpu"), r.out());
    }

    @Test
    void anUnreachableKilnExitsFive() {
        int code = new KilnClientCommand(new PrintStream(new ByteArrayOutputStream())).run("backends", List.of("--url", "http://127.0.0.1:1"));
        assertEquals(KilnClientCommand.UNREACHABLE, code);
    }

    @Test
    void aMisspeltOptionIsAUsageError() {
        assertEquals(KilnClientCommand.USAGE, run("backends", "--jsn").code());
    }
}
