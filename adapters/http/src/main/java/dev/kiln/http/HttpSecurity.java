package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;

/**
 * Who may call the HTTP API (issue 9): decides from {@code kiln.http.auth}, the configured API
 * keys and the JWT key whether {@link BearerAuthHandler} and {@link RateLimitHandler} guard the
 * routes, and installs them ahead of every route.
 *
 * <ul>
 *   <li>{@code api-key}: keys required; starting without any is an error (a configured JWT key
 *       is accepted too).</li>
 *   <li>{@code jwt}: a JWT key required ({@code kiln.http.jwt.secret} or
 *       {@code kiln.http.jwt.public-key-file}); configured API keys are accepted too.</li>
 *   <li>{@code none}: no authentication, with a WARN line at start.</li>
 *   <li>{@code auto} (default): on when keys or a JWT key are configured. Without either it is
 *       off with a loud WARN on the embedded broker (the {@code kiln demo} / {@code kiln serve}
 *       default on one machine), and refuses to start against an external Kafka
 *       ({@code kiln.kafka.bootstrap} set), where Kiln is a shared service.</li>
 * </ul>
 *
 * <p>Threads: {@link #install} runs once while the router is built (the verticle's start).
 */
final class HttpSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSecurity.class);

    private HttpSecurity() { }

    /**
     * Installs authentication and rate limiting on {@code router} as its first route.
     *
     * @throws IllegalArgumentException when the settings are inconsistent (no message holds a secret)
     */
    static void install(Vertx vertx, Router router, KilnConfig config) {
        ApiKeys keys = ApiKeys.fromConfig(config);
        Optional<JwtVerifier> tokens = JwtVerifier.fromConfig(vertx, config);
        String mode = config.get(KilnConfig.HTTP_AUTH).strip().toLowerCase(Locale.ROOT);
        boolean external = !config.get(KilnConfig.KAFKA_BOOTSTRAP).isBlank();
        boolean on = switch (mode) {
            case "api-key" -> {
                if (keys.isEmpty()) {
                    throw new IllegalArgumentException("kiln.http.auth=api-key but no key is configured: set kiln.http.api-keys "
                            + "(environment KILN_HTTP_API_KEYS) or kiln.http.api-keys-file");
                }
                yield true;
            }
            case "jwt" -> {
                if (tokens.isEmpty()) {
                    throw new IllegalArgumentException("kiln.http.auth=jwt but no JWT key is configured: set kiln.http.jwt.secret "
                            + "(environment KILN_HTTP_JWT_SECRET) or kiln.http.jwt.public-key-file");
                }
                yield true;
            }
            case "none" -> false;
            case "auto" -> {
                if (!keys.isEmpty() || tokens.isPresent()) yield true;
                if (external) {
                    throw new IllegalArgumentException("no HTTP API keys are configured and Kiln runs against an external Kafka "
                            + "(a shared deployment): set kiln.http.api-keys (environment KILN_HTTP_API_KEYS) or "
                            + "kiln.http.api-keys-file, or a JWT key (kiln.http.jwt.secret or kiln.http.jwt.public-key-file), "
                            + "or accept an open API explicitly with kiln.http.auth=none");
                }
                yield false;
            }
            default -> throw new IllegalArgumentException("kiln.http.auth must be auto, api-key, jwt or none, was '" + mode + "'");
        };
        if (!on) {
            LOG.warn("**************************************************************************************");
            LOG.warn("HTTP AUTHENTICATION IS OFF: anyone who can reach port {} can submit and cancel jobs.", config.get(KilnConfig.HTTP_PORT));
            LOG.warn("Set kiln.http.api-keys (or KILN_HTTP_API_KEYS, or kiln.http.api-keys-file) before exposing Kiln.");
            LOG.warn("**************************************************************************************");
            return;
        }
        double perSecond = Double.parseDouble(config.get(KilnConfig.HTTP_RATE_LIMIT).strip());
        int burst = config.getInt(KilnConfig.HTTP_RATE_BURST);
        if (perSecond < 0 || !Double.isFinite(perSecond)) throw new IllegalArgumentException("kiln.http.rate-limit.per-second must be ≥ 0");
        if (burst < 1) throw new IllegalArgumentException("kiln.http.rate-limit.burst must be ≥ 1");
        router.route().handler(new BearerAuthHandler(keys, tokens));
        if (perSecond > 0) router.route().handler(new RateLimitHandler(perSecond, burst, System::nanoTime));
        LOG.info("HTTP authentication: {} API key(s) {}; JWT {}; rate limit {}", keys.size(), keys.ids(),
                tokens.map(t -> "accepted (" + t.algorithm() + ")").orElse("off"),
                perSecond > 0 ? perSecond + "/s per caller, burst " + burst : "off");
    }
}
