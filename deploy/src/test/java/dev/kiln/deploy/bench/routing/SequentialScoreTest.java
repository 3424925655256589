package dev.kiln.deploy.bench.routing;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Per-kind and with-a-choice regret of a sequential run, against hand-computed totals. */
class SequentialScoreTest {
    private static Oracle.Row row(double... ms) { return new Oracle.Row(ms, ms); }

    @Test
    void splitsTheRegretByKindAndByWhetherTheJobHadAChoice() {
        SequentialScore s = new SequentialScore(Regret.COLD + 3);
        for (int j = 0; j < Regret.COLD; j++) s.add(j, "linear", row(1, 2), 0, false);
        s.add(Regret.COLD, "linear", row(4, 2), 0, false);                 // lost 2 (4 where 2)
        s.add(Regret.COLD + 1, "qubo", row(3, 1), 1, true);                 // best, explored
        s.add(Regret.COLD + 2, "train", row(Double.NaN, 10), 1, false);     // no choice: 10 either way
        s.skip();
        Map<String, Object> f = s.fields(List.of("a", "b"));
        assertEquals(Regret.COLD + 2, f.get("jobs"));
        assertEquals(1, f.get("skipped_no_backend"));
        assertEquals(100 * (15 / 13.0 - 1), (double) f.get("regret_pct"), 1e-9);
        assertEquals(100 * (4 / 2.0 - 1), (double) f.get("regret_linear_pct"), 1e-9);
        assertEquals(0, (double) f.get("regret_qubo_pct"), 1e-12);
        assertEquals(0, (double) f.get("regret_train_pct"), 1e-12);
        assertEquals(100 * (5 / 3.0 - 1), (double) f.get("regret_choice_pct"), 1e-9);
        assertEquals(Regret.COLD + 2, f.get("jobs_choice"));
        assertEquals(10.0, (double) f.get("oracle_train_ms"), 1e-12);
        assertEquals(100.0 / (Regret.COLD + 2), (double) f.get("explore_pct"), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> s.add(0, "quantum", row(1, 1), 0, false));
    }
}
