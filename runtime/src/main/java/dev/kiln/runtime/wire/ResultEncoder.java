package dev.kiln.runtime.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.ProgressEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes results and progress events as wire-format v1 JSON. Fields that do not apply
 * (NaN numbers, null objects) are left out rather than written as null, so a client sees
 * only what Kiln knows. Thread-safe.
 */
public final class ResultEncoder {
    private final JsonFactory factory = new JsonFactory();

    public byte[] encode(JobResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(r.solution() == null ? 512 : 512 + 24 * r.solution().length);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", r.id());
            if (r.kind() != null) g.writeStringField("kind", r.kind().wireName());
            g.writeStringField("status", r.status().wireName());
            if (r.error() != null) {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", r.error().code().wireName());
                g.writeStringField("message", r.error().message());
                g.writeBooleanField("retryable", r.error().code().retryable());
                g.writeEndObject();
            }
            if (r.backend() != null) g.writeStringField("backend", r.backend());
            if (r.method() != null) g.writeStringField("method", r.method());
            if (!r.parameters().isEmpty()) {
                g.writeObjectFieldStart("parameters");
                for (Map.Entry<String, Object> e : new java.util.TreeMap<>(r.parameters()).entrySet()) {
                    writeValue(g, e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            if (r.iterations() >= 0) g.writeNumberField("iterations", r.iterations());
            number(g, "residualNorm", r.residualNorm());
            if (r.converged() != null) g.writeBooleanField("converged", r.converged());
            if (r.solution() != null) {
                g.writeArrayFieldStart("solution");
                // JSON has no NaN/Infinity (Jackson would write the string "NaN"): null, as in answer arrays.
                for (double v : r.solution()) { if (Double.isFinite(v)) g.writeNumber(v); else g.writeNull(); }
                g.writeEndArray();
            }
            if (!r.answer().isEmpty()) {
                g.writeFieldName("answer");
                writeAny(g, r.answer());
            }
            JobResult.Timing t = r.timing() == null ? JobResult.Timing.ZERO : r.timing();
            g.writeObjectFieldStart("timing");
            g.writeNumberField("queuedMs", t.queuedMs());
            g.writeNumberField("solveMs", t.solveMs());
            g.writeNumberField("totalMs", t.totalMs());
            g.writeEndObject();
            JobResult.Cost c = r.cost();
            if (c != null && (Double.isFinite(c.predictedMs()) || Double.isFinite(c.hardwareSeconds()) || Double.isFinite(c.energyJoules()))) {
                g.writeObjectFieldStart("cost");
                number(g, "predictedMs", c.predictedMs());
                number(g, "hardwareSeconds", c.hardwareSeconds());
                number(g, "energyJoules", c.energyJoules());
                g.writeEndObject();
            }
            if (r.routing() != null) {
                g.writeObjectFieldStart("routing");
                g.writeStringField("chosen", r.routing().chosen());
                g.writeArrayFieldStart("candidates");
                for (JobResult.Candidate cand : r.routing().candidates()) {
                    g.writeStartObject();
                    g.writeStringField("backend", cand.backend());
                    number(g, "predictedMs", cand.predictedMs());
                    g.writeNumberField("queued", cand.queued());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeBooleanField("explored", r.routing().explored());
                if (r.routing().movedFrom() != null) g.writeStringField("movedFrom", r.routing().movedFrom());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public byte[] encode(ProgressEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", e.jobId());
            if (e.backend() != null) g.writeStringField("backend", e.backend());
            g.writeNumberField("iteration", e.iteration());
            number(g, "residual", e.residual());
            g.writeNumberField("elapsedMs", e.elapsedMs());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static void number(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isFinite(v)) g.writeNumberField(name, v);
    }

    /** Writes numbers, strings, booleans, primitive arrays, lists and maps (answer fields). */
    private static void writeAny(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Double d -> { if (Double.isFinite(d)) g.writeNumber(d); else g.writeNull(); }
            case Float f -> { if (Float.isFinite(f)) g.writeNumber(f); else g.writeNull(); }
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Number n -> g.writeNumber(n.doubleValue());
            case Boolean b -> g.writeBoolean(b);
            case double[] a -> {
                g.writeStartArray();
                for (double d : a) { if (Double.isFinite(d)) g.writeNumber(d); else g.writeNull(); }
                g.writeEndArray();
            }
            case int[] a -> g.writeArray(a, 0, a.length);
            case long[] a -> g.writeArray(a, 0, a.length);
            case byte[] a -> {
                g.writeStartArray();
                for (byte b : a) g.writeNumber(b);
                g.writeEndArray();
            }
            case Iterable<?> it -> {
                g.writeStartArray();
                for (Object o : it) writeAny(g, o);
                g.writeEndArray();
            }
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    writeAny(g, e.getValue());
                }
                g.writeEndObject();
            }
            default -> g.writeString(String.valueOf(v));
        }
    }

    private static void writeValue(JsonGenerator g, String name, Object v) throws IOException {
        if (v instanceof Double d) number(g, name, d);
        else if (v instanceof Float f) number(g, name, f);
        else if (v instanceof Integer i) g.writeNumberField(name, i);
        else if (v instanceof Long l) g.writeNumberField(name, l);
        else if (v instanceof Boolean b) g.writeBooleanField(name, b);
        else g.writeStringField(name, String.valueOf(v));
    }
}
