package dev.kiln.kafka;

/**
 * Header names Kiln reads and writes. Dead-letter headers follow Spring Kafka's
 * {@code kafka_dlt-*} convention, which Kafka users already recognise.
 */
public final class KafkaHeaders {
    public static final String JOB_ID = "kiln-job-id";
    public static final String REPLY_TO = "kiln-reply-to";
    public static final String CORRELATION_ID = "correlation-id";
    public static final String STATUS = "kiln-status";
    public static final String ERROR_CODE = "kiln-error-code";
    public static final String DLT_ORIGINAL_TOPIC = "kafka_dlt-original-topic";
    public static final String DLT_ORIGINAL_PARTITION = "kafka_dlt-original-partition";
    public static final String DLT_ORIGINAL_OFFSET = "kafka_dlt-original-offset";
    public static final String DLT_EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
    public static final String DLT_EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";

    private KafkaHeaders() { }
}
