package dev.kiln.runtime.tuning;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Job;
import dev.kiln.spi.SolveOutcome;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several tuners as one: {@link #tune} applies them in order (each sees the job the previous one
 * returned), {@link #learn} in reverse order (each undoes its own wrapping last-in first-out),
 * {@link #describe} merges their maps, {@link #snapshot} their state, and {@link #restore} offers
 * every record to each (a tuner ignores keys that are not its own).
 *
 * <p>Why: the runtime has one seam around {@code Backend.solve}; the ω tuner and Krylov recycling
 * both need it and must not know about each other.
 */
public final class TunerChain implements Tuner {
    private final List<Tuner> tuners;

    public TunerChain(Tuner... tuners) {
        this.tuners = List.of(tuners);
    }

    @Override
    public Job tune(Job job) {
        Job j = job;
        for (Tuner t : tuners) j = t.tune(j);
        return j;
    }

    @Override
    public Job tune(Job job, Backend backend) {
        Job j = job;
        for (Tuner t : tuners) j = t.tune(j, backend);
        return j;
    }

    @Override
    public SolveOutcome learn(Job job, SolveOutcome outcome, long solveNanos) {
        SolveOutcome o = outcome;
        for (int i = tuners.size() - 1; i >= 0; i--) o = tuners.get(i).learn(job, o, solveNanos);
        return o;
    }

    @Override
    public Optional<Map<String, Object>> describe(String family) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Tuner t : tuners) t.describe(family).ifPresent(m::putAll);
        return m.isEmpty() ? Optional.empty() : Optional.of(m);
    }

    @Override
    public Map<String, String> snapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Tuner t : tuners) m.putAll(t.snapshot());
        return m;
    }

    @Override
    public void restore(String key, String json) {
        for (Tuner t : tuners) t.restore(key, json);
    }

    /** The first tuner of the given type, if any (for tests and benches). */
    public <T extends Tuner> Optional<T> find(Class<T> type) {
        for (Tuner t : tuners) if (type.isInstance(t)) return Optional.of(type.cast(t));
        return Optional.empty();
    }
}
