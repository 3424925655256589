package dev.kiln.kafka;

import dev.kiln.runtime.routing.CostModel;
import dev.kiln.runtime.routing.ModelState;
import dev.kiln.runtime.routing.ModelStateCodec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cost models on {@code kiln.state} (issue 8): keys {@code costmodel/<backend>/<kind>}, values
 * {@link ModelStateCodec} JSON, a reset model a tombstone. What changed is what the model
 * {@linkplain CostModel#drainChanges() drained}: it tracks its own changes.
 */
public record CostModelKeyedState(CostModel model) implements KeyedState {
    @Override
    public String name() { return "costmodel"; }

    @Override
    public String keyPrefix() { return CostModel.STATE_PREFIX; }

    @Override
    public Map<String, byte[]> changes() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ModelState> e : model.drainChanges().entrySet()) {
            out.put(e.getKey(), e.getValue() == null ? null : ModelStateCodec.encode(e.getValue()));
        }
        return out;
    }

    @Override
    public void apply(String key, byte[] value) {
        model.restore(ModelStateCodec.decode(value));
    }
}
