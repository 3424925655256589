package dev.kiln.runtime.metrics;

import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Finished jobs counted and timed per kind × backend × status, with the meters looked up once per key. */
class KilnMetricsTest {
    private static JobResult result(String backend, JobStatus status, long totalMs) {
        return new JobResult("j", JobKind.LINEAR, status, null, backend, "cg", Map.of(), 3, 1e-9, true, null,
                new JobResult.Timing(1, totalMs - 1, totalMs), JobResult.Cost.NONE, null);
    }

    /** The value of the one sample line of {@code metric} whose labels contain every {@code labels} entry. */
    private static double sample(String scrape, String metric, String... labels) {
        double found = Double.NaN;
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(metric + "{")) continue;
            boolean all = true;
            for (String l : labels) all &= line.contains(l);
            if (!all) continue;
            if (!Double.isNaN(found)) throw new AssertionError("two lines match " + metric + " " + String.join(",", labels));
            found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return found;
    }

    @Test
    void countsAndTimesEachKindBackendAndStatusApart() {
        KilnMetrics m = new KilnMetrics();
        m.finished(result("cpu", JobStatus.SUCCEEDED, 2));
        m.finished(result("cpu", JobStatus.SUCCEEDED, 4));
        m.finished(result("cpu", JobStatus.FAILED, 8));
        m.finished(result("opencl", JobStatus.SUCCEEDED, 16));
        String s = m.scrape();
        assertEquals(2, sample(s, "kiln_jobs_total", "backend=\"cpu\"", "status=\"succeeded\"", "kind=\"linear\""), s);
        assertEquals(1, sample(s, "kiln_jobs_total", "backend=\"cpu\"", "status=\"failed\""), s);
        assertEquals(1, sample(s, "kiln_jobs_total", "backend=\"opencl\"", "status=\"succeeded\""), s);
        // The latency timer is per kind × backend: the cpu's three jobs, 2 + 4 + 8 ms.
        assertEquals(3, sample(s, "kiln_job_latency_seconds_count", "backend=\"cpu\""), s);
        assertEquals(0.014, sample(s, "kiln_job_latency_seconds_sum", "backend=\"cpu\""), 1e-12, s);
        assertEquals(0.016, sample(s, "kiln_job_latency_seconds_sum", "backend=\"opencl\""), 1e-12, s);
    }
}
