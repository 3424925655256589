package dev.kiln.kafka;

import dev.kiln.runtime.tuning.Tuner;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tuners' learned state on {@code kiln.state} (issue 4): keys {@code tuner/<family>/<method>},
 * values the tuner's UTF-8 JSON. The tuner only offers a full {@link Tuner#snapshot()}, so the
 * changes are the keys whose JSON differs from what was last handed out; a tuner never resets a
 * key, so there are no tombstones. {@link Tuner#restore} merges (per-arm max, a record read twice
 * counts once) and ignores what it cannot read, so {@link #apply} never rejects.
 */
public final class TunerKeyedState implements KeyedState {
    private final Tuner tuner;
    /** Key → JSON last handed to the publisher; touched only from {@link #changes()}. */
    private final Map<String, String> written = new HashMap<>();

    public TunerKeyedState(Tuner tuner) {
        this.tuner = tuner;
    }

    @Override
    public String name() { return "tuner"; }

    @Override
    public String keyPrefix() { return "tuner/"; }

    @Override
    public Map<String, byte[]> changes() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : tuner.snapshot().entrySet()) {
            if (e.getValue().equals(written.get(e.getKey()))) continue;
            out.put(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
            written.put(e.getKey(), e.getValue());
        }
        return out;
    }

    @Override
    public void apply(String key, byte[] value) {
        tuner.restore(key, new String(value, StandardCharsets.UTF_8));
    }
}
