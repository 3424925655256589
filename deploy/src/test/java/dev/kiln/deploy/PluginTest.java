package dev.kiln.deploy;

import dev.kiln.runtime.Submission;
import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plug-ins without rebuilding Kiln: the example out-of-tree backend (examples/backend-skeleton,
 * built by the reactor before this module) is dropped into a plugins folder beside a broken
 * plug-in; Kiln starts, lists both, routes jobs to the working one, and the broken one is
 * reported unavailable with its reason instead of taking Kiln down.
 */
class PluginTest {
    @TempDir
    Path dir;

    @Test
    void anOutOfTreeBackendLoadsFromThePluginsFolderAndReceivesJobs() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(skeletonJar(), plugins.resolve("kiln-backend-skeleton.jar"));
        writeBrokenPlugin(plugins.resolve("broken.jar"));

        try (KilnService kiln = KilnService.start(KilnConfig.of(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), dir.resolve("kafka").toString(),
                KilnConfig.PLUGINS_DIR.name(), plugins.toString(),
                KilnConfig.ROUTING_CALIBRATE.name(), "false")))) {
            Optional<BackendHandle> skeleton = kiln.runtime().backends().get("skeleton-jacobi");
            assertTrue(skeleton.isPresent(), "the plug-in's backend is registered: " + kiln.runtime().backends().all());
            assertTrue(skeleton.get().usable(), skeleton.get().probe().toString());
            assertEquals("kiln-plugin-kiln-backend-skeleton.jar",
                    skeleton.get().backend().getClass().getClassLoader().getName(), "loaded by its own class loader");

            BackendHandle broken = kiln.runtime().backends().get("plugin:broken.jar").orElseThrow();
            assertFalse(broken.usable());
            assertTrue(broken.probe().reason().contains("broken.jar"), broken.probe().reason());

            var job = kiln.runtime().decoder().decode(("{\"id\":\"to-plugin\",\"kind\":\"linear\",\"problem\":{\"matrix\":"
                    + "{\"generator\":\"poisson2d\",\"nx\":16},\"rhs\":{\"generator\":\"a-times-ones\"}},"
                    + "\"options\":{\"backend\":\"skeleton-jacobi\",\"tolerance\":1e-8}}").getBytes(StandardCharsets.UTF_8));
            Submission s = kiln.runtime().submit(job);
            JobRecord rec = assertInstanceOf(Submission.Accepted.class, s).record();
            JobResult r = rec.result().get(2, TimeUnit.MINUTES);
            assertEquals(JobStatus.SUCCEEDED, r.status(), String.valueOf(r.error()));
            assertEquals("skeleton-jacobi", r.backend());
            assertEquals("jacobi-blocks", r.method());
            assertTrue(r.residualNorm() <= 1e-8);
        }
    }

    /** The example plug-in's jar, built by the reactor before this module. */
    static Path skeletonJar() throws IOException {
        Path target = Path.of("..", "examples", "backend-skeleton", "target");
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "kiln-backend-skeleton-*.jar")) {
                for (Path p : ds) return p;
            }
        }
        throw new IllegalStateException("examples/backend-skeleton is not built: run the reactor "
                + "(mvn -pl deploy -am verify) or mvn -f examples/backend-skeleton/pom.xml package first");
    }

    /** A jar whose service file names a class that does not exist. */
    private static void writeBrokenPlugin(Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry("META-INF/services/dev.kiln.spi.Backend"));
            j.write("com.example.DoesNotExist\n".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        assertNotNull(jar);
    }
}
