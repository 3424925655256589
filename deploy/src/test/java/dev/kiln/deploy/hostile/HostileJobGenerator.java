package dev.kiln.deploy.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile job documents: each is a valid wire-format v1 job (one of
 * {@link #VALID}) put through one to three mutations of the kinds issue 9 lists — malformed
 * JSON, wrong types, huge declared sizes with tiny payloads, negative and overflowing indices,
 * NaN/Infinity spellings, deep nesting, oversized documents, unknown fields, matrix refs
 * outside the store or with path characters, Unicode junk and duplicate keys. The same seed
 * gives the same documents, so a failure is replayed by its seed and index (test support;
 * shared by the decoder fuzz test and the Kafka and HTTP hostile-input tests).
 */
public final class HostileJobGenerator {
    /** Valid documents, one per shape of the wire format, small enough to decode in microseconds. */
    public static final List<String> VALID = List.of(
            "{\"id\":\"v-csr\",\"kind\":\"linear\",\"family\":\"f\",\"problem\":{\"matrix\":{\"format\":\"csr\",\"rows\":2,\"cols\":2,"
                    + "\"rowPtr\":[0,2,3],\"colIdx\":[0,1,1],\"values\":[4,1,3]},\"rhs\":[1,2]},\"options\":{\"tolerance\":1e-8}}",
            "{\"id\":\"v-coo\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"coo\",\"rows\":3,\"cols\":3,"
                    + "\"row\":[0,1,2,0],\"col\":[0,1,2,2],\"values\":[2,2,2,0.5]},\"x0\":[0,0,0]},\"options\":{\"method\":\"gmres\"}}",
            "{\"id\":\"v-mm\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"format\":\"matrix-market\",\"text\":"
                    + "\"%%MatrixMarket matrix coordinate real symmetric\\n2 2 3\\n1 1 4\\n2 1 1\\n2 2 3\\n\"}}}",
            "{\"id\":\"v-gen\",\"kind\":\"linear\",\"family\":\"heat\",\"context\":[0.5],\"problem\":{\"matrix\":{\"generator\":\"poisson2d\","
                    + "\"nx\":6,\"shift\":0.1},\"rhs\":{\"generator\":\"random\",\"seed\":3}},\"options\":{\"method\":\"sor\",\"omega\":\"auto\","
                    + "\"maxIterations\":500,\"precision\":\"fp64\",\"returnSolution\":true,\"backend\":\"cpu\",\"deadlineMs\":1000,\"seed\":7}}",
            "{\"id\":\"v-gen3\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson3d\",\"nx\":3,\"ny\":4,\"nz\":2},"
                    + "\"rhs\":{\"generator\":\"a-times-ones\"}},\"options\":{\"method\":\"pcg\",\"preconditioner\":\"ic0\",\"objective\":\"energy\"}}",
            "{\"id\":\"v-ref\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"ref\":\"REF\"}}}",
            "{\"id\":\"v-qubo\",\"kind\":\"qubo\",\"problem\":{\"qubo\":{\"n\":3,\"terms\":[[0,0,-1],[0,1,2],[1,2,-0.5]]}},"
                    + "\"options\":{\"sweeps\":10,\"replicas\":2,\"target\":-1,\"schedule\":\"geometric\"}}",
            "{\"id\":\"v-maxcut\",\"kind\":\"qubo\",\"problem\":{\"maxcut\":{\"n\":4,\"edges\":[[0,1],[1,2,2],[2,3,1.5],[3,0]]}},"
                    + "\"options\":{\"timeLimitMs\":100,\"refractScaling\":3}}",
            "{\"id\":\"v-train\",\"kind\":\"train\",\"problem\":{\"model\":{\"type\":\"mlp\",\"hidden\":[4],\"activation\":\"relu\"},"
                    + "\"dataset\":{\"features\":[[0,1],[1,0],[1,1],[0,0]],\"labels\":[0,1,1,0],\"testFraction\":0.5,\"seed\":2},"
                    + "\"loss\":\"cross-entropy\"},\"options\":{\"optimizer\":\"adam\",\"epochs\":2,\"batchSize\":2}}");

    /** What {@link #next()} produced: the bytes and how (for failure messages). */
    public record Hostile(byte[] bytes, String how) {
        public String preview() {
            String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
            return how + " :: " + s + (bytes.length > 300 ? "… (" + bytes.length + " bytes)" : "");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Junk that breaks naive text handling: invalid UTF-8, a lone surrogate escape, BOM, NUL, RTL override, emoji. */
    private static final List<byte[]> UNICODE_JUNK = List.of(
            new byte[]{(byte) 0xC3}, new byte[]{(byte) 0xFF, (byte) 0xFE}, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            "\\ud800".getBytes(StandardCharsets.US_ASCII), "\\udfff\\ud800".getBytes(StandardCharsets.US_ASCII),
            new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "\\u0000".getBytes(StandardCharsets.US_ASCII), new byte[]{0},
            "\u202e\u0301\u200b".getBytes(StandardCharsets.UTF_8), "\uD83D\uDD25".getBytes(StandardCharsets.UTF_8),
            new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[]{(byte) 0xC0, (byte) 0xAF});
    private static final List<String> NON_FINITE = List.of("NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "inf", "1e999",
            "-1e999", "1e-999", "\"NaN\"", "\"Infinity\"", "nan", "0x10", "1.0e", "--1", "+1", "01", ".5", "1.");
    private static final List<String> REFS = List.of("../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "file:///etc/shadow",
            "%2e%2e%2f%2e%2e%2fetc", "a/../../b", "\u0000", "", "~root/.ssh/id_rsa", "C:\\boot.ini", "ref\nwith\nlines",
            "x".repeat(5000), "0000000000000000000000000000000000000000000000000000000000000000");

    private final SplittableRandom random;
    private final int maxBytes;
    private final String ref;
    private long count;

    /**
     * @param seed     the seed; the same seed gives the same sequence
     * @param maxBytes the decoder's document limit, so some documents are made just over it
     * @param ref      a ref of a matrix really in the store (the valid ref document uses it)
     */
    public HostileJobGenerator(long seed, int maxBytes, String ref) {
        this.random = new SplittableRandom(seed);
        this.maxBytes = maxBytes;
        this.ref = ref;
    }

    /** The next hostile document: a valid one with one to three mutations. */
    public Hostile next() {
        // Each document gets its own id (v-<n>-<shape>), so a stream of them does not collide.
        String base = VALID.get(random.nextInt(VALID.size())).replace("REF", ref).replace("\"id\":\"v-", "\"id\":\"v-" + (count++) + "-");
        int mutations = 1 + random.nextInt(3);
        byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
        StringBuilder how = new StringBuilder(base.substring(9, base.indexOf('"', 9)));
        for (int k = 0; k < mutations; k++) {
            int kind = random.nextInt(14);
            how.append(" > ");
            bytes = switch (kind) {
                case 0 -> bytes(how, "wrong-type", tree(bytes, this::wrongType));
                case 1 -> bytes(how, "huge-size", tree(bytes, this::hugeSize));
                case 2 -> bytes(how, "bad-index", tree(bytes, this::badIndex));
                case 3 -> bytes(how, "non-finite", nonFinite(bytes));
                case 4 -> bytes(how, "deep-nesting", deepNesting(bytes));
                case 5 -> bytes(how, "oversized", oversized(bytes));
                case 6 -> bytes(how, "unknown-field", tree(bytes, this::unknownField));
                case 7 -> bytes(how, "bad-ref", tree(bytes, this::badRef));
                case 8 -> bytes(how, "unicode-junk", unicodeJunk(bytes));
                case 9 -> bytes(how, "duplicate-key", duplicateKey(bytes));
                case 10 -> bytes(how, "truncate", truncate(bytes));
                case 11 -> bytes(how, "byte-flip", byteFlip(bytes));
                case 12 -> bytes(how, "remove-field", tree(bytes, this::removeField));
                default -> bytes(how, "splice", splice(bytes));
            };
        }
        return new Hostile(bytes, how.toString());
    }

    private static byte[] bytes(StringBuilder how, String name, byte[] b) {
        how.append(name);
        return b;
    }

    // ---- tree mutations (on documents that still parse; others fall back to byte mutations) ----

    private interface TreeMutation {
        void apply(ObjectNode root, List<Slot> slots);
    }

    /** A place in the tree: a parent and a field name or an index. */
    private record Slot(JsonNode parent, String field, int index, JsonNode value) {
        void set(JsonNode v) {
            if (parent instanceof ObjectNode o) o.set(field, v);
            else ((ArrayNode) parent).set(index, v);
        }
    }

    private byte[] tree(byte[] bytes, TreeMutation m) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            return byteFlip(bytes);
        }
        if (!(root instanceof ObjectNode o)) return byteFlip(bytes);
        List<Slot> slots = new ArrayList<>();
        collect(o, slots);
        if (slots.isEmpty()) { // an earlier mutation emptied the document: give the mutation something to work on
            o.set("problem", NODES.objectNode());
            collect(o, slots);
        }
        m.apply(o, slots);
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(new Slot(o, e.getKey(), -1, e.getValue()));
                collect(e.getValue(), out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                out.add(new Slot(a, null, i, a.get(i)));
                collect(a.get(i), out);
            }
        }
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private JsonNode randomValue() {
        return switch (random.nextInt(12)) {
            case 0 -> NODES.textNode("seven");
            case 1 -> NODES.numberNode(-1);
            case 2 -> NODES.numberNode(0);
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> NODES.arrayNode().add(1).add("x");
            case 6 -> NODES.objectNode().put("a", 1);
            case 7 -> NODES.numberNode(new BigInteger("123456789012345678901234567890"));
            case 8 -> NODES.numberNode(Long.MIN_VALUE);
            case 9 -> NODES.numberNode(2.5);
            case 10 -> NODES.textNode("");
            default -> NODES.numberNode(1e308);
        };
    }

    private void wrongType(ObjectNode root, List<Slot> slots) {
        pick(slots).set(randomValue());
    }

    private static final List<String> SIZE_FIELDS = List.of("rows", "cols", "n", "nx", "ny", "nz", "classes", "maxIterations",
            "sweeps", "replicas", "epochs", "batchSize", "timesteps", "trainLimit", "seed", "deadlineMs");

    private void hugeSize(ObjectNode root, List<Slot> slots) {
        List<Slot> sizes = slots.stream().filter(s -> s.field() != null && SIZE_FIELDS.contains(s.field())).toList();
        Slot s = sizes.isEmpty() ? pick(slots) : pick(sizes);
        JsonNode v = switch (random.nextInt(7)) {
            case 0 -> NODES.numberNode(Integer.MAX_VALUE);
            case 1 -> NODES.numberNode(Integer.MAX_VALUE + 1L);
            case 2 -> NODES.numberNode(Long.MAX_VALUE);
            case 3 -> NODES.numberNode(new BigInteger("99999999999999999999999999"));
            case 4 -> NODES.numberNode(1_000_000_000);
            case 5 -> NODES.numberNode(3_000_000);
            default -> NODES.numberNode(1e10);
        };
        s.set(v);
        if (s.field() != null && s.field().equals("hidden")) s.set(NODES.arrayNode().add(Integer.MAX_VALUE));
        // Sometimes a hidden layer of absurd width (tiny payload, huge model).
        if (random.nextInt(4) == 0 && root.path("problem").path("model").isObject()) {
            ((ObjectNode) root.path("problem").path("model")).set("hidden", NODES.arrayNode().add(pick(List.of(2_000_000_000, 100_000, 65_536))));
        }
    }

    private void badIndex(ObjectNode root, List<Slot> slots) {
        List<Slot> ints = slots.stream().filter(s -> s.value().isIntegralNumber() && s.index() >= 0).toList();
        Slot s = ints.isEmpty() ? pick(slots) : pick(ints);
        s.set(switch (random.nextInt(6)) {
            case 0 -> NODES.numberNode(-1);
            case 1 -> NODES.numberNode(Integer.MIN_VALUE);
            case 2 -> NODES.numberNode(Integer.MAX_VALUE);
            case 3 -> NODES.numberNode(1L << 32);
            case 4 -> NODES.numberNode(1000);
            default -> NODES.numberNode(new BigInteger("18446744073709551617"));
        });
    }

    private void unknownField(ObjectNode root, List<Slot> slots) {
        List<JsonNode> objects = new ArrayList<>(List.of(root));
        for (Slot s : slots) if (s.value().isObject()) objects.add(s.value());
        ((ObjectNode) pick(objects)).put(pick(List.of("colour", "__proto__", "constructor", "$where", "tolerence", "Kind", "", "\u0000x")), 1);
    }

    private void badRef(ObjectNode root, List<Slot> slots) {
        JsonNode p = root.path("problem");
        if (p instanceof ObjectNode po) po.set("matrix", NODES.objectNode().put("ref", pick(REFS)));
        else root.set("problem", NODES.objectNode().set("matrix", NODES.objectNode().put("ref", pick(REFS))));
    }

    private void removeField(ObjectNode root, List<Slot> slots) {
        Slot s = pick(slots);
        if (s.parent() instanceof ObjectNode o) o.remove(s.field());
        else ((ArrayNode) s.parent()).remove(s.index());
    }

    // ---- text and byte mutations ----

    private byte[] nonFinite(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        // Replace one number literal (a digit run after ':' , '[' or ',') with a non-finite spelling.
        List<int[]> spans = new ArrayList<>();
        for (int i = 1; i < s.length(); i++) {
            char prev = s.charAt(i - 1);
            if ((prev == ':' || prev == '[' || prev == ',') && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-')) {
                int j = i + 1;
                while (j < s.length() && "0123456789.eE+-".indexOf(s.charAt(j)) >= 0) j++;
                spans.add(new int[]{i, j});
            }
        }
        if (spans.isEmpty()) return insert(bytes, (":" + pick(NON_FINITE)).getBytes(StandardCharsets.UTF_8));
        int[] sp = pick(spans);
        return (s.substring(0, sp[0]) + pick(NON_FINITE) + s.substring(sp[1])).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] deepNesting(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int depth = pick(List.of(33, 100, 5_000, 50_000));
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        int at = s.indexOf("\"problem\":");
        if (at < 0 || random.nextInt(4) == 0) return nested.getBytes(StandardCharsets.UTF_8);
        return (s.substring(0, at) + "\"context\":" + nested + "," + s.substring(at)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] oversized(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int target = maxBytes + 1 + random.nextInt(64);
        int pad = Math.max(0, target - s.length());
        String filler = switch (random.nextInt(3)) {
            case 0 -> " ".repeat(pad);                                     // whitespace inside the object
            case 1 -> "\"x\":\"" + "a".repeat(Math.max(0, pad - 7)) + "\","; // a long string
            default -> "\"values\":[" + "1,".repeat(pad / 2) + "1],";         // a long array
        };
        return ("{" + filler + rest(s)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] unicodeJunk(byte[] bytes) {
        byte[] junk = pick(UNICODE_JUNK);
        // Inside a string value most of the time (where a lenient parser would let it through).
        String s = new String(bytes, StandardCharsets.UTF_8);
        int q = s.indexOf("\":\"");
        if (q >= 0 && random.nextInt(3) > 0) {
            byte[] head = s.substring(0, q + 3).getBytes(StandardCharsets.UTF_8);
            byte[] tail = s.substring(q + 3).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[head.length + junk.length + tail.length];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(junk, 0, out, head.length, junk.length);
            System.arraycopy(tail, 0, out, head.length + junk.length, tail.length);
            return out;
        }
        return insert(bytes, junk);
    }

    private byte[] duplicateKey(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        String dup = pick(List.of("\"kind\":\"qubo\",", "\"id\":\"other\",", "\"problem\":{},", "\"options\":{\"backend\":\"x\"},"));
        return ("{" + dup + rest(s)).getBytes(StandardCharsets.UTF_8);
    }

    /** The document after its opening brace (all of it when a mutation already removed the brace). */
    private static String rest(String s) {
        return s.startsWith("{") ? s.substring(1) : s;
    }

    private byte[] truncate(byte[] bytes) {
        return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
    }

    private byte[] byteFlip(byte[] bytes) {
        byte[] b = bytes.clone();
        if (b.length == 0) return new byte[]{(byte) random.nextInt(256)};
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        return b;
    }

    private byte[] splice(byte[] bytes) {
        byte[] other = pick(VALID).replace("REF", ref).getBytes(StandardCharsets.UTF_8);
        int cut = random.nextInt(bytes.length + 1);
        int from = random.nextInt(other.length + 1);
        byte[] out = new byte[cut + other.length - from];
        System.arraycopy(bytes, 0, out, 0, cut);
        System.arraycopy(other, from, out, cut, other.length - from);
        return out;
    }

    private byte[] insert(byte[] bytes, byte[] what) {
        int at = random.nextInt(bytes.length + 1);
        byte[] out = new byte[bytes.length + what.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(bytes, at, out, at + what.length, bytes.length - at);
        return out;
    }
}
