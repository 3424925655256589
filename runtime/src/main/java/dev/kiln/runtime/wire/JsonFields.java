package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.spi.ErrorCode;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Small readers for job documents, each naming the field it reads in the error it throws,
 * shared by the per-kind readers. Client text quoted in messages is clipped and made
 * printable.
 */
public final class JsonFields {
    private JsonFields() { }

    /** Rejects any field of {@code node} not in {@code allowed}; {@code prefix} is the node's path plus a dot. */
    public static void rejectUnknown(ObjectNode node, Set<String> allowed, String prefix, ErrorCode code) throws JobRejectedException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                // An empty name is quoted, or the error would name no field at all (found by fuzzing).
                throw new JobRejectedException(code, prefix + (name.isEmpty() ? "\"\"" : clip(name)),
                        "unknown field (expected one of " + new TreeSet<>(allowed) + ")");
            }
        }
    }

    /** The array at {@code name}, required. */
    public static ArrayNode array(ObjectNode node, String name, String field, ErrorCode code) throws JobRejectedException {
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) throw new JobRejectedException(code, field, "is required");
        if (!n.isArray()) throw new JobRejectedException(code, field, "must be an array");
        return (ArrayNode) n;
    }

    public static int[] ints(ArrayNode a, String field, ErrorCode code) throws JobRejectedException {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new JobRejectedException(code, field + "[" + i + "]", "must be an integer in int range, was " + clip(v.toString()));
            }
            out[i] = v.intValue();
        }
        return out;
    }

    public static double[] doubles(ArrayNode a, String field, ErrorCode code) throws JobRejectedException {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber()) throw new JobRejectedException(code, field + "[" + i + "]", "must be a number, was " + clip(v.toString()));
            double d = v.doubleValue();
            if (!Double.isFinite(d)) throw new JobRejectedException(code, field + "[" + i + "]", "is not finite (" + clip(v.toString()) + ")");
            out[i] = d;
        }
        return out;
    }

    /** An optional string at {@code name}, or {@code null}. */
    public static String optionalString(ObjectNode o, String name, String field, int maxLength) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw options(field, "must be a string");
        if (n.textValue().length() > maxLength) throw options(field, "is longer than " + maxLength + " characters");
        return n.textValue();
    }

    /** An optional integer in [min, max] at {@code name}, or {@code dflt}. */
    public static long optionalLong(ObjectNode o, String name, String field, long min, long max, long dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw options(field, "must be an integer in [" + min + ", " + max + "], was " + clip(n.toString()));
        }
        return n.longValue();
    }

    /** An optional finite number in [min, max] at {@code name}, or {@code dflt}. */
    public static double optionalDouble(ObjectNode o, String name, String field, double min, double max, double dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
            throw options(field, "must be a number in [" + min + ", " + max + "], was " + clip(n.toString()));
        }
        return n.doubleValue();
    }

    /** An optional boolean at {@code name}, or {@code dflt}. */
    public static boolean optionalBoolean(ObjectNode o, String name, String field, boolean dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw options(field, "must be true or false");
        return n.booleanValue();
    }

    public static JobRejectedException invalid(String field, String message) {
        return new JobRejectedException(ErrorCode.INVALID_PROBLEM, field, message);
    }

    public static JobRejectedException options(String field, String message) {
        return new JobRejectedException(ErrorCode.INVALID_OPTIONS, field, message);
    }

    public static JobRejectedException tooLarge(String field, String message) {
        return new JobRejectedException(ErrorCode.TOO_LARGE, field, message);
    }

    /** Keeps client-supplied text in error messages short and printable. */
    public static String clip(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && b.length() < 60; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (s.length() > 60) b.append("…");
        return b.toString();
    }
}
