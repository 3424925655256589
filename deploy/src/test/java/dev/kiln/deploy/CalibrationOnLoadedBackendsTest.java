package dev.kiln.deploy;

import dev.kiln.runtime.backend.BackendHandle;
import dev.kiln.runtime.backend.BackendRegistry;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.CalibrationJobs;
import dev.kiln.runtime.routing.CalibrationPlan;
import dev.kiln.runtime.routing.CostModel;
import dev.kiln.spi.Backend;
import dev.kiln.spi.JobKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up calibration on the backends ServiceLoader finds (cpu, neuromorphic, thermodynamic;
 * opencl where PoCL or a device is): every backend learns QUBO and train samples exactly where it
 * runs the calibration's jobs — checked against each backend's own {@code supports} — and the
 * learned runs predict at the features the backend reports. Only the smallest QUBO size and the
 * smallest train shape (every optimizer), so the test takes about a second; a generous budget, so
 * a loaded machine cannot cut the runs short.
 */
class CalibrationOnLoadedBackendsTest {

    @Test
    void everyBackendLearnsTheQuboAndTrainJobsItRunsAndNoOthers() {
        try (BackendRegistry registry = BackendRegistry.load(getClass().getClassLoader(), Map.of())) {
            List<Backend> backends = registry.all().stream().filter(BackendHandle::usable).map(BackendHandle::backend).toList();
            List<String> ids = backends.stream().map(Backend::id).toList();
            assertTrue(ids.containsAll(List.of("cpu", "neuromorphic", "thermodynamic")), "loaded: " + ids);
            List<CalibrationPlan> plans = new ArrayList<>();
            for (CalibrationPlan p : Calibration.standardPlans()) {
                int first = switch (p.kind()) {
                    case QUBO -> 1;
                    case TRAIN -> 4; // the smallest shape, once per optimizer (sgd, adam, ngd, tngd)
                    case LINEAR -> 0;
                };
                if (first > 0) plans.add(new CalibrationPlan(p.kind(), p.jobs().subList(0, first), 60_000_000_000L));
            }
            CostModel model = new CostModel();
            int learned = Calibration.run(registry, model, plans, System::nanoTime);
            int expected = 0;
            for (Backend b : backends) {
                for (CalibrationPlan p : plans) {
                    long runs = p.jobs().stream().filter(s -> b.supports(s.job()).supported()).count();
                    assertEquals(runs, model.samples(b.id(), p.kind()), b.id() + " " + p.kind().wireName());
                    expected += (int) runs;
                    for (CalibrationJobs.Sized s : p.jobs()) {
                        if (b.supports(s.job()).supported()) {
                            assertTrue(model.predict(b.id(), p.kind(), null, b.features(s.job())).known(), b.id() + " " + s.size());
                        }
                    }
                }
                assertEquals(0, model.samples(b.id(), JobKind.LINEAR), "the linear plan was left out");
            }
            assertEquals(expected, learned);
            // The kinds land where the backends run them: QUBO on cpu and neuromorphic, not thermodynamic;
            // train on cpu (sgd, adam, ngd) and thermodynamic (tngd), not neuromorphic.
            assertEquals(1, model.samples("cpu", JobKind.QUBO));
            assertEquals(1, model.samples("neuromorphic", JobKind.QUBO));
            assertEquals(0, model.samples("thermodynamic", JobKind.QUBO));
            assertEquals(3, model.samples("cpu", JobKind.TRAIN));
            assertEquals(1, model.samples("thermodynamic", JobKind.TRAIN));
            assertEquals(0, model.samples("neuromorphic", JobKind.TRAIN));
            if (ids.contains("opencl")) assertEquals(1, model.samples("opencl", JobKind.QUBO));
        }
    }
}
