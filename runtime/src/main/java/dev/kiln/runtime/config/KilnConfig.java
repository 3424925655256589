package dev.kiln.runtime.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kiln's settings: a map of documented keys (see {@link #KEYS}) read from the command
 * line ({@code --set key=value}), the environment ({@code KILN_QUEUE_CAPACITY} for
 * {@code kiln.queue.capacity}) or a properties file. Unknown {@code kiln.*} keys are an
 * error, as a misspelt key silently ignored is worse. Backends read their own
 * {@code kiln.<backend>.*} keys from the same map.
 */
public final class KilnConfig {
    public static final ConfigKey QUEUE_CAPACITY = new ConfigKey("kiln.queue.capacity", "256",
            "Jobs that may wait per backend before submissions are refused (Kafka pauses, HTTP answers 503).");
    public static final ConfigKey WORKERS = new ConfigKey("kiln.workers", "0",
            "Worker threads per backend; 0 takes the backend's own default (the CPU backend: one per core).");
    public static final ConfigKey STORE_MAX_FINISHED = new ConfigKey("kiln.store.max-finished", "10000",
            "Finished jobs kept in memory for GET /v1/jobs/{id}.");
    public static final ConfigKey STORE_TTL_MS = new ConfigKey("kiln.store.ttl-ms", "3600000",
            "How long a finished job stays queryable, in ms.");
    public static final ConfigKey PROGRESS_INTERVAL_MS = new ConfigKey("kiln.progress.interval-ms", "200",
            "Least time between two progress events of one job, in ms.");
    /**
     * 10 ms: a tiny job's two progress records (first and last sample) cost about 15–20 µs of CPU
     * between Kiln's worker, its producer and the broker (measured here: medians of alternating
     * runs of {@code ./kiln bench routing --case tiny} with and without them, docs/ARCHITECTURE.md,
     * issue 8), so a job that still gets them has run some 500 times that; a job shorter than this
     * is over before a person could watch it.
     */
    public static final ConfigKey PROGRESS_FIRST_AFTER_MS = new ConfigKey("kiln.progress.first-after-ms", "10",
            "A job's first progress event goes out once it has run this long, in ms; a job that ends sooner has none "
                    + "(its result carries its iterations and residual). 0: from the first sample.");
    public static final ConfigKey MAX_MESSAGE_BYTES = new ConfigKey("kiln.limits.max-message-bytes", "67108864",
            "Largest job document accepted, in bytes (HTTP body and Kafka record).");
    public static final ConfigKey MAX_UNKNOWNS = new ConfigKey("kiln.limits.max-unknowns", "10000000",
            "Largest number of unknowns of a linear system.");
    public static final ConfigKey MAX_NONZEROS = new ConfigKey("kiln.limits.max-nonzeros", "50000000",
            "Largest number of non-zeros of a matrix.");
    public static final ConfigKey MATRIX_STORE_NNZ = new ConfigKey("kiln.matrices.max-total-nonzeros", "100000000",
            "Total non-zeros of uploaded matrices kept; least recently used go first.");
    public static final ConfigKey HTTP_PORT = new ConfigKey("kiln.http.port", "8080", "HTTP API port; 0 picks a free one.");
    public static final ConfigKey HTTP_HOST = new ConfigKey("kiln.http.host", "0.0.0.0", "HTTP API bind address.");
    // HTTP security (issue 9; docs/ARCHITECTURE.md, "Security").
    public static final ConfigKey HTTP_AUTH = new ConfigKey("kiln.http.auth", "auto",
            "HTTP authentication: api-key, jwt, none, or auto (on when API keys or a JWT key are configured, and then either is accepted; "
                    + "without them, off with a warning on the embedded broker and a refusal to start against an external one).");
    public static final ConfigKey HTTP_API_KEYS = new ConfigKey("kiln.http.api-keys", "",
            "API keys accepted on the HTTP API (Authorization: Bearer KEY or X-Api-Key: KEY), comma-separated, 16+ characters each. Secret.");
    public static final ConfigKey HTTP_API_KEYS_FILE = new ConfigKey("kiln.http.api-keys-file", "",
            "A file of API keys, one per line (# starts a comment); added to kiln.http.api-keys.");
    public static final ConfigKey HTTP_RATE_LIMIT = new ConfigKey("kiln.http.rate-limit.per-second", "50",
            "Requests per second each API key may make on average (token bucket); over it the API answers 429 with Retry-After. 0 = no limit.");
    public static final ConfigKey HTTP_RATE_BURST = new ConfigKey("kiln.http.rate-limit.burst", "100",
            "Requests an API key may make at once before kiln.http.rate-limit.per-second applies (the token bucket's size).");
    public static final ConfigKey HTTP_TLS_KEYSTORE = new ConfigKey("kiln.http.tls.keystore", "",
            "PKCS#12 (or .jks) keystore with the HTTP server's key and certificate; set to serve HTTPS.");
    public static final ConfigKey HTTP_TLS_KEYSTORE_PASSWORD = new ConfigKey("kiln.http.tls.keystore-password", "",
            "Password of kiln.http.tls.keystore; prefer the environment (KILN_HTTP_TLS_KEYSTORE_PASSWORD) or the -file key. Secret.");
    public static final ConfigKey HTTP_TLS_KEYSTORE_PASSWORD_FILE = new ConfigKey("kiln.http.tls.keystore-password-file", "",
            "A file holding the keystore password (first line).");
    public static final ConfigKey HTTP_TLS_CERT_FILE = new ConfigKey("kiln.http.tls.cert-file", "",
            "PEM certificate chain for HTTPS (with kiln.http.tls.key-file), instead of a keystore.");
    public static final ConfigKey HTTP_TLS_KEY_FILE = new ConfigKey("kiln.http.tls.key-file", "",
            "PEM private key (PKCS#8) for HTTPS, with kiln.http.tls.cert-file.");
    // JWT bearer tokens as an alternative to API keys (issue 9; docs/ARCHITECTURE.md, "JWT").
    public static final ConfigKey HTTP_JWT_SECRET = new ConfigKey("kiln.http.jwt.secret", "",
            "Shared secret of HMAC-signed JWTs (HS256/384/512), at least 32 bytes; tokens come as Authorization: Bearer TOKEN. "
                    + "Prefer the environment (KILN_HTTP_JWT_SECRET). Secret.");
    public static final ConfigKey HTTP_JWT_PUBLIC_KEY_FILE = new ConfigKey("kiln.http.jwt.public-key-file", "",
            "PEM public key (BEGIN PUBLIC KEY) of the token issuer, for RSA- or EC-signed JWTs (RS256.., PS256.., ES256..).");
    public static final ConfigKey HTTP_JWT_ALGORITHM = new ConfigKey("kiln.http.jwt.algorithm", "",
            "JWS algorithm tokens must be signed with; empty: HS256 with a secret, RS256 with a public key.");
    public static final ConfigKey HTTP_JWT_ISSUER = new ConfigKey("kiln.http.jwt.issuer", "",
            "When set, a token's iss claim must equal it.");
    public static final ConfigKey HTTP_JWT_AUDIENCE = new ConfigKey("kiln.http.jwt.audience", "",
            "When set, a token's aud claim must contain it.");
    public static final ConfigKey HTTP_JWT_LEEWAY_S = new ConfigKey("kiln.http.jwt.leeway-seconds", "30",
            "Clock skew allowed when checking exp and nbf, in seconds.");
    public static final ConfigKey KAFKA_BOOTSTRAP = new ConfigKey("kiln.kafka.bootstrap", "",
            "Bootstrap servers of an external Kafka; empty starts the embedded broker.");
    public static final ConfigKey KAFKA_PORT = new ConfigKey("kiln.kafka.port", "9092", "Port of the embedded broker.");
    public static final ConfigKey KAFKA_DATA_DIR = new ConfigKey("kiln.kafka.data-dir", "kiln-data/kafka",
            "Folder of the embedded broker's log.");
    public static final ConfigKey KAFKA_GROUP = new ConfigKey("kiln.kafka.group", "kiln",
            "Consumer group of kiln.jobs; replicas in one group share the partitions.");
    public static final ConfigKey KAFKA_PARTITIONS = new ConfigKey("kiln.kafka.partitions", "3",
            "Partitions of topics Kiln creates when absent.");
    // 64 kept after measuring 256 (issue 8, case=tiny): no gain on 2 shared cores, where a deeper
    // cpu queue made the router spill tiny jobs onto the simulated thermodynamic device. By Little's
    // law 64 carries 5 000 jobs/s while an answer's round trip (linger 5 ms, ack, wake) stays < 12 ms.
    public static final ConfigKey KAFKA_MAX_IN_FLIGHT = new ConfigKey("kiln.kafka.max-in-flight", "64",
            "Jobs taken from kiln.jobs and not yet answered, per replica, before partitions are paused.");
    public static final ConfigKey SHUTDOWN_GRACE_MS = new ConfigKey("kiln.shutdown.grace-ms", "10000",
            "On shutdown, how long running jobs may finish before they are handed back unanswered.");

    public static final ConfigKey ROUTING_EXPLORE_RATE = new ConfigKey("kiln.routing.explore-rate", "0.05",
            "Most routing decisions that may explore (try a backend the cost model does not pick), as a share of all.");
    public static final ConfigKey ROUTING_EXPLORE_BURST = new ConfigKey("kiln.routing.explore-burst", "10",
            "Explorations allowed on top of the rate, so a cold start can try each backend a few times.");
    public static final ConfigKey ROUTING_SEED = new ConfigKey("kiln.routing.seed", "1",
            "Seed of the router's Thompson-sampling draws.");
    public static final ConfigKey ROUTING_CALIBRATE = new ConfigKey("kiln.routing.calibrate", "true",
            "Run a few small linear, QUBO and train jobs on each backend that runs them at start-up to seed the cost model "
                    + "(a few seconds per backend and kind at most; skipped for models loaded from kiln.state).");
    public static final ConfigKey ROUTING_LATE_BINDING = new ConfigKey("kiln.routing.late-binding", "true",
            "true: a backend's idle worker takes a job waiting on another backend when the router predicts it finishes sooner there (results say routing.movedFrom); false: every job runs where it was routed.");
    public static final ConfigKey ROUTING_PERSIST_INTERVAL_MS = new ConfigKey("kiln.routing.persist-interval-ms", "5000",
            "How often changed cost models are written to kiln.state, in ms; 0 disables persistence.");

    public static final ConfigKey RECYCLING_VECTORS = new ConfigKey("kiln.recycling.vectors", "8",
            "Ritz vectors kept per family for Krylov recycling of cg/pcg jobs (0: no recycled subspace).");
    public static final ConfigKey RECYCLING_HISTORY = new ConfigKey("kiln.recycling.history", "4",
            "Earlier solutions kept per family for the warm start and the Galerkin start (0 turns recycling off).");
    public static final ConfigKey RECYCLING_MEMORY_BYTES = new ConfigKey("kiln.recycling.memory-bytes", "268435456",
            "Memory for all families' recycled vectors; least recently used families give theirs up first.");
    public static final ConfigKey RECYCLING_DEFLATE_ITERATIONS = new ConfigKey("kiln.recycling.deflate-iterations", "false",
            "true: deflate every CG iteration with the recycled subspace; false: deflate the start only (cheaper per iteration).");

    public static final ConfigKey PLUGINS_DIR = new ConfigKey("kiln.plugins.dir", "plugins",
            "Folder of backend plug-ins: each *.jar (or sub-folder of jars) is loaded in its own class loader.");

    public static final List<ConfigKey> KEYS = List.of(PLUGINS_DIR, QUEUE_CAPACITY, WORKERS, STORE_MAX_FINISHED, STORE_TTL_MS,
            PROGRESS_INTERVAL_MS, PROGRESS_FIRST_AFTER_MS, MAX_MESSAGE_BYTES, MAX_UNKNOWNS, MAX_NONZEROS, MATRIX_STORE_NNZ, HTTP_PORT, HTTP_HOST,
            KAFKA_BOOTSTRAP, KAFKA_PORT, KAFKA_DATA_DIR, KAFKA_GROUP, KAFKA_PARTITIONS, KAFKA_MAX_IN_FLIGHT, SHUTDOWN_GRACE_MS,
            ROUTING_EXPLORE_RATE, ROUTING_EXPLORE_BURST, ROUTING_SEED, ROUTING_CALIBRATE, ROUTING_LATE_BINDING, ROUTING_PERSIST_INTERVAL_MS,
            HTTP_AUTH, HTTP_API_KEYS, HTTP_API_KEYS_FILE, HTTP_RATE_LIMIT, HTTP_RATE_BURST, HTTP_TLS_KEYSTORE,
            HTTP_TLS_KEYSTORE_PASSWORD, HTTP_TLS_KEYSTORE_PASSWORD_FILE, HTTP_TLS_CERT_FILE, HTTP_TLS_KEY_FILE,
            HTTP_JWT_SECRET, HTTP_JWT_PUBLIC_KEY_FILE, HTTP_JWT_ALGORITHM, HTTP_JWT_ISSUER, HTTP_JWT_AUDIENCE, HTTP_JWT_LEEWAY_S,
            RECYCLING_VECTORS, RECYCLING_HISTORY, RECYCLING_MEMORY_BYTES, RECYCLING_DEFLATE_ITERATIONS);

    private final Map<String, String> values;

    private KilnConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Builds a config from explicit settings over the defaults.
     *
     * @throws IllegalArgumentException naming an unknown {@code kiln.} key (backend keys
     *                                  {@code kiln.<backend>.} are passed through)
     */
    public static KilnConfig of(Map<String, String> settings) {
        Map<String, String> v = new LinkedHashMap<>();
        for (ConfigKey k : KEYS) v.put(k.name(), k.defaultValue());
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            boolean known = KEYS.stream().anyMatch(k -> k.name().equals(e.getKey()));
            if (!known && isCoreKey(e.getKey())) unknown.add(e.getKey());
            v.put(e.getKey(), e.getValue());
        }
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown setting(s) " + unknown + "; see kiln --help");
        return new KilnConfig(v);
    }

    public static KilnConfig defaults() { return of(Map.of()); }

    private static boolean isCoreKey(String name) {
        if (!name.startsWith("kiln.")) return false;
        if (name.startsWith("kiln.kafka.client.")) return false; // Kafka client properties pass through (KilnService)
        if (name.startsWith("kiln.kafka.broker.")) return false; // embedded broker properties pass through (KilnService)
        String rest = name.substring(5);
        int dot = rest.indexOf('.');
        if (dot < 0) return true; // not kiln.<backend>.<key>: a misspelt core key such as kiln.workerz
        String group = rest.substring(0, dot);
        return List.of("queue", "workers", "store", "progress", "limits", "matrices", "http", "kafka", "shutdown", "routing", "plugins", "recycling").contains(group);
    }

    public String get(ConfigKey k) { return values.get(k.name()); }

    public int getInt(ConfigKey k) {
        try {
            return Integer.parseInt(get(k).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k.name() + " must be an integer, was '" + get(k) + "'");
        }
    }

    /** {@code true} or {@code false} (surrounding blanks ignored); anything else is an error naming the key. */
    public boolean getBoolean(ConfigKey k) {
        String v = get(k).trim();
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new IllegalArgumentException(k.name() + " must be true or false, was '" + get(k) + "'");
    }

    public long getLong(ConfigKey k) {
        try {
            return Long.parseLong(get(k).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k.name() + " must be an integer, was '" + get(k) + "'");
        }
    }

    /**
     * True for settings that hold secrets (API keys, passwords, SASL/TLS credentials passed to
     * the Kafka clients): they are never logged and not handed to backends.
     */
    public static boolean isSecret(String name) {
        if (name.equals(HTTP_API_KEYS.name()) || name.equals(HTTP_TLS_KEYSTORE_PASSWORD.name())
                || name.equals(HTTP_JWT_SECRET.name())) return true;
        if (!name.startsWith("kiln.kafka.client.")) return false;
        String p = name.toLowerCase(java.util.Locale.ROOT);
        // Kafka's PASSWORD-typed client settings (ssl.*.password, sasl.jaas.config, ssl.keystore.key, ...) and any credential.
        return p.contains("password") || p.contains("jaas") || p.contains("secret") || p.contains("credential")
                || p.contains(".key") || p.contains("token") || p.contains("user.info");
    }

    /** Every setting except the secrets ({@link #isSecret}): what backends and plug-ins receive. */
    public Map<String, String> withoutSecrets() {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.keySet().removeIf(KilnConfig::isSecret);
        return Collections.unmodifiableMap(v);
    }

    /** The settings with secrets shown as {@code [hidden]}, safe to log. */
    @Override
    public String toString() {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.replaceAll((k, val) -> isSecret(k) && !val.isEmpty() ? "[hidden]" : val);
        return "KilnConfig" + v;
    }

    /** Every setting, for backends' {@code configure(Map)}. */
    public Map<String, String> asMap() { return values; }

    /** A copy with one setting changed. */
    public KilnConfig with(ConfigKey k, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.put(k.name(), value);
        return new KilnConfig(v);
    }
}
