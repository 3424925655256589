package dev.kiln.runtime.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets in the settings are never printed and never reach backends (issue 9). */
class KilnConfigSecretsTest {
    private static final Map<String, String> SETTINGS = Map.of(
            "kiln.http.api-keys", "key-one-0123456789abcdef",
            "kiln.http.tls.keystore-password", "store-pass-secret",
            "kiln.kafka.client.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"sasl-secret\";",
            "kiln.kafka.client.ssl.truststore.password", "trust-secret",
            "kiln.kafka.client.security.protocol", "SASL_SSL",
            "kiln.cpu.threads", "2");

    @Test
    void printingTheConfigHidesEverySecret() {
        String printed = KilnConfig.of(SETTINGS).toString();
        for (String secret : new String[]{"key-one-0123456789abcdef", "store-pass-secret", "sasl-secret", "trust-secret"}) {
            assertFalse(printed.contains(secret), secret + " printed in " + printed);
        }
        assertTrue(printed.contains("SASL_SSL"), "ordinary settings still show");
    }

    @Test
    void backendsReceiveTheSettingsWithoutSecrets() {
        Map<String, String> forBackends = KilnConfig.of(SETTINGS).withoutSecrets();
        assertFalse(forBackends.containsKey("kiln.http.api-keys"));
        assertFalse(forBackends.containsKey("kiln.kafka.client.sasl.jaas.config"));
        assertFalse(forBackends.containsKey("kiln.kafka.client.ssl.truststore.password"));
        assertEquals("2", forBackends.get("kiln.cpu.threads"));
        assertEquals("SASL_SSL", forBackends.get("kiln.kafka.client.security.protocol"));
    }

    @Test
    void httpSecuritySettingsAreKnownKeys() {
        KilnConfig c = KilnConfig.of(Map.of("kiln.http.rate-limit.per-second", "5", "kiln.http.auth", "api-key"));
        assertEquals("5", c.get(KilnConfig.HTTP_RATE_LIMIT));
        assertEquals("auto", KilnConfig.defaults().get(KilnConfig.HTTP_AUTH));
    }
}
