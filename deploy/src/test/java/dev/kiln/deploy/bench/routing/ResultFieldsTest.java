package dev.kiln.deploy.bench.routing;

import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiny case's streaming read of a result, on what Kiln's own encoder writes. */
class ResultFieldsTest {
    @Test
    void readsTheTopLevelBackendAndTheTimingOfAnEncodedResult() {
        // The routing record nests other backends' names after the chosen one: they must not win.
        JobResult r = new JobResult("j-1", JobKind.LINEAR, JobStatus.SUCCEEDED, null, "cpu", "cg", Map.of("omega", 1.5), 7, 1e-9,
                true, new double[] {1, 2}, new JobResult.Timing(2, 3, 5), new JobResult.Cost(0.5, Double.NaN, Double.NaN),
                new JobResult.Routing("cpu", List.of(new JobResult.Candidate("opencl", 9.0, 4), new JobResult.Candidate("cpu", 0.5, 0)), false));
        ResultFields f = ResultFields.of(new ResultEncoder().encode(r));
        assertEquals(new ResultFields("cpu", 5, 3), f);
    }

    @Test
    void aDocumentThatIsNotAJsonObjectIsUnreadable() {
        assertEquals(new ResultFields("unreadable", 0, 0), ResultFields.of("[1,2]".getBytes(StandardCharsets.UTF_8)));
        assertEquals(new ResultFields("unreadable", 0, 0), ResultFields.of("{\"backend\":".getBytes(StandardCharsets.UTF_8)));
    }
}
