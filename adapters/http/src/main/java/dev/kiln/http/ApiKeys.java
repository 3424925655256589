package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys the HTTP API accepts, from {@code kiln.http.api-keys} (comma-separated) and
 * {@code kiln.http.api-keys-file} (one per line, {@code #} comments). Only SHA-256 digests
 * are kept; each key is known by an id ({@code key-} + the first 8 hex digits of its digest)
 * that is safe to log and is what rate limits count against.
 *
 * <p>Immutable and thread-safe; {@link #idOf} is cheap enough for an event loop (one
 * SHA-256 of a short string).
 */
final class ApiKeys {
    /**
     * Shortest key accepted: 16 characters of a random alphabet carry ≥ 64 bits (OWASP's
     * minimum for session identifiers, Session Management Cheat Sheet, "Session ID Entropy").
     */
    static final int MIN_LENGTH = 16;

    private final Map<String, String> idByDigest;

    private ApiKeys(Map<String, String> idByDigest) {
        this.idByDigest = Map.copyOf(idByDigest);
    }

    /**
     * Reads the keys the config names.
     *
     * @throws IllegalArgumentException for a key that is too short or has blanks, or a key file
     *                                  that cannot be read; the message never contains a key
     */
    static ApiKeys fromConfig(KilnConfig config) {
        List<String> keys = new ArrayList<>();
        for (String k : config.get(KilnConfig.HTTP_API_KEYS).split(",")) {
            if (!k.isBlank()) keys.add(k.strip());
        }
        String file = config.get(KilnConfig.HTTP_API_KEYS_FILE).strip();
        if (!file.isEmpty()) {
            try {
                for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                    String k = line.strip();
                    if (!k.isEmpty() && !k.startsWith("#")) keys.add(k);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(KilnConfig.HTTP_API_KEYS_FILE.name() + ": cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> byDigest = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            if (k.length() < MIN_LENGTH || k.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("API key #" + (i + 1) + " (" + idFor(digest(k)) + ") must have at least "
                        + MIN_LENGTH + " printable characters and no blanks; generate one with: openssl rand -hex 24");
            }
            String d = digest(k);
            byDigest.put(d, idFor(d));
        }
        return new ApiKeys(byDigest);
    }

    boolean isEmpty() { return idByDigest.isEmpty(); }

    int size() { return idByDigest.size(); }

    /** The ids of the configured keys, for the start-up log. */
    List<String> ids() { return List.copyOf(idByDigest.values()); }

    /** The id of {@code presented} when it is one of the keys. */
    Optional<String> idOf(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 1024) return Optional.empty();
        // A map lookup by digest: comparing digests, not keys, so timing tells nothing about a key.
        return Optional.ofNullable(idByDigest.get(digest(presented)));
    }

    private static String idFor(String digest) {
        return "key-" + digest.substring(0, 8);
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
