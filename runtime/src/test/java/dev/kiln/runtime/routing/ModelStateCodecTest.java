package dev.kiln.runtime.routing;

import dev.kiln.spi.Features;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.Precision;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelStateCodecTest {
    @Test
    void aRestoredModelPredictsExactlyAsTheOriginal() {
        CostModel a = new CostModel();
        for (long w = 1_000; w <= 64_000; w *= 2) a.observe("cpu", JobKind.LINEAR, new Features(0, w, 1, 0, Precision.FP64), w / 100.0, w / 1e6);
        ModelState s = a.snapshot().get(0);
        CostModel b = new CostModel();
        b.restore(ModelStateCodec.decode(ModelStateCodec.encode(s)));
        Features f = new Features(0, 12_345, 1, 0, Precision.FP64);
        // A family the original never ran: the backend-wide fit alone answers (the per-family fits
        // and size-bucket residuals are not persisted; they are relearned).
        assertEquals(a.predict("cpu", JobKind.LINEAR, "unseen", f), b.predict("cpu", JobKind.LINEAR, "unseen", f));
        assertEquals(a.views("cpu").get(0).samples(), b.views("cpu").get(0).samples());
    }

    @Test
    void resetIsReportedAsATombstone() {
        CostModel a = new CostModel();
        a.observe("cpu", JobKind.LINEAR, new Features(1, 1, 1, 0, Precision.FP64), 1, Double.NaN);
        assertTrue(a.drainChanges().get("costmodel/cpu/linear") != null);
        assertEquals(1, a.reset("cpu"));
        var changes = a.drainChanges();
        assertTrue(changes.containsKey("costmodel/cpu/linear") && changes.get("costmodel/cpu/linear") == null);
        assertEquals(0, a.samples("cpu", JobKind.LINEAR));
    }

    @Test
    void aDocumentOfTheWrongShapeIsRefusedNamingTheField() {
        String bad = "{\"backend\":\"cpu\",\"kind\":\"linear\",\"time\":{\"theta\":[1,2],\"p\":[1,0,0,0,1,0,0,0,1],"
                + "\"sigma2\":1,\"samples\":3,\"minLogWork\":1,\"maxLogWork\":2},\"compared\":0,\"sumAbsLogError\":0}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelStateCodec.decode(bad.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("time.theta"), e.getMessage());
    }

    @Test
    void theLearnedIterationCountsTravelWithTheLinearModel() {
        CostModel a = new CostModel();
        for (long n = 64; n <= 4_096; n *= 2) {
            a.observe("cpu", JobKind.LINEAR, "heat", IterationModelTest.poisson2d(n), IterationModelTest.cg2d(n), n / 100.0, Double.NaN);
        }
        ModelState s = ModelStateCodec.decode(ModelStateCodec.encode(a.snapshot().get(0)));
        assertTrue(s.iterations().containsKey("heat"), "the family's fit is in the state: " + s.iterations().keySet());
        CostModel b = new CostModel();
        b.restore(s);
        Features f = IterationModelTest.poisson2d(2_000);
        assertEquals(a.estimatedIterations("cpu", JobKind.LINEAR, "heat", f), b.estimatedIterations("cpu", JobKind.LINEAR, "heat", f), 1e-9);
        // Not exact: the original also has "heat"'s own fit and size-bucket residuals, which are relearned.
        double original = a.predict("cpu", JobKind.LINEAR, "heat", f).ms();
        assertEquals(original, b.predict("cpu", JobKind.LINEAR, "heat", f).ms(), 0.05 * original);
    }
}
