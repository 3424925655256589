package dev.kiln.kafka;

import java.util.Map;

/**
 * How the adapter connects: bootstrap servers, consumer group, limits, and any further
 * client properties passed through verbatim (SASL/TLS settings of an external cluster).
 *
 * @param bootstrap         bootstrap servers
 * @param group             consumer group of {@code kiln.jobs}
 * @param partitions        partitions of topics created when absent
 * @param maxInFlight       jobs taken and not yet answered before partitions pause
 * @param shutdownGraceMs   how long shutdown and revocation wait for running jobs
 * @param clientProperties  extra Kafka client properties (security etc.)
 */
public record KafkaSettings(String bootstrap, String group, int partitions, int maxInFlight, long shutdownGraceMs,
                            Map<String, Object> clientProperties) {
    public KafkaSettings {
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }
}
