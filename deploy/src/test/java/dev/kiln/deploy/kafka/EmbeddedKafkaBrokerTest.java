package dev.kiln.deploy.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaBrokerTest {

    private static final String TOPIC = "kiln-embedded-test";
    private static final String GROUP = "kiln-embedded-test-group";
    private static final int RECORDS = 10;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void topicsAndCommittedOffsetsSurviveRestart(@TempDir Path dataDir) throws Exception {
        String clusterId;
        Map<TopicPartition, Long> committedBefore;

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir).build()) {
            long t0 = System.nanoTime();
            broker.start();
            System.out.printf("first start (format) took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(broker.isRunning());
            assertTrue(broker.port() > 0);
            assertTrue(broker.controllerPort() > 0);
            assertNotEquals(broker.port(), broker.controllerPort());
            assertEquals("127.0.0.1:" + broker.port(), broker.bootstrapServers());
            assertTrue(Files.isRegularFile(dataDir.resolve("meta.properties")));
            clusterId = broker.clusterId();
            assertNotNull(clusterId);

            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }

            try (KafkaProducer<String, String> producer = producer(broker)) {
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    sends.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, "value-" + i)));
                }
                for (Future<RecordMetadata> send : sends) {
                    send.get(30, TimeUnit.SECONDS);
                }
            }

            try (KafkaConsumer<String, String> consumer = consumer(broker)) {
                consumer.subscribe(List.of(TOPIC));
                Set<String> values = new HashSet<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (values.size() < RECORDS && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        values.add(record.value());
                    }
                }
                Set<String> expected = new HashSet<>();
                for (int i = 0; i < RECORDS; i++) {
                    expected.add("value-" + i);
                }
                assertEquals(expected, values);
                consumer.commitSync(Duration.ofSeconds(30));

                Set<TopicPartition> partitions = consumer.assignment();
                assertEquals(3, partitions.size());
                committedBefore = offsets(consumer.committed(partitions, Duration.ofSeconds(30)));
                assertEquals(RECORDS, committedBefore.values().stream().mapToLong(Long::longValue).sum());
            }
        }

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir).build()) {
            long t0 = System.nanoTime();
            broker.start();
            System.out.printf("second start (reuse) took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertEquals(clusterId, broker.clusterId(), "data dir must be reused, not reformatted");

            try (Admin admin = admin(broker)) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC));
                TopicDescription description = admin.describeTopics(List.of(TOPIC))
                        .allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
                assertEquals(3, description.partitions().size());

                Map<TopicPartition, OffsetAndMetadata> committedAfter = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                assertEquals(committedBefore, offsets(committedAfter));
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void stopThenStartServesTheSameDataOnTheSamePorts(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir).start()) {
            int port = broker.port();
            int controllerPort = broker.controllerPort();
            String clusterId = broker.clusterId();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            // A client made before the stop, as a running application's would be: it must reconnect by itself.
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>(TOPIC, "k", "before")).get(30, TimeUnit.SECONDS);
                broker.stop();
                assertFalse(broker.isRunning());
                broker.stop(); // harmless when stopped
                broker.start();
                assertTrue(broker.isRunning());
                assertEquals(port, broker.port(), "a restart keeps the client port clients were given");
                assertEquals(controllerPort, broker.controllerPort());
                assertEquals(clusterId, broker.clusterId(), "the data directory is reused, not reformatted");
                producer.send(new ProducerRecord<>(TOPIC, "k", "after")).get(60, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = consumer(broker)) {
                consumer.subscribe(List.of(TOPIC));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (values.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) values.add(record.value());
                }
                assertEquals(List.of("before", "after"), values, "both records, on one partition (same key), in order");
            }
        }
    }

    @Test
    void threadsFollowTheCoresUpToKafkasDefaults() {
        assertEquals(2, EmbeddedKafkaBroker.ioThreads(1));
        assertEquals(2, EmbeddedKafkaBroker.ioThreads(2));
        assertEquals(6, EmbeddedKafkaBroker.ioThreads(6));
        assertEquals(8, EmbeddedKafkaBroker.ioThreads(64));
        assertEquals(1, EmbeddedKafkaBroker.networkThreads(1));
        assertEquals(1, EmbeddedKafkaBroker.networkThreads(2));
        assertEquals(2, EmbeddedKafkaBroker.networkThreads(4));
        assertEquals(3, EmbeddedKafkaBroker.networkThreads(64));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theBrokerRunsTheSizedRequestHandlersUnlessABrokerPropertySaysOtherwise(@TempDir Path dataDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir.resolve("a")).start()) {
            // Combined mode: the broker's and the controller's request pools both take num.io.threads, under one name.
            assertEquals(2L * EmbeddedKafkaBroker.ioThreads(cores), threadsNamed("data-plane-kafka-request-handler-"));
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir.resolve("b"))
                .brokerProperty("num.io.threads", "3").start()) {
            assertEquals(2L * 3, threadsNamed("data-plane-kafka-request-handler-"));
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void secondCloseIsHarmless(@TempDir Path dataDir) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(dataDir).start();
        assertTrue(broker.isRunning());
        // Kafka's fatal-error path must not be able to take the test JVM down.
        EmbeddedKafkaBroker.KafkaExitException exit =
                assertThrows(EmbeddedKafkaBroker.KafkaExitException.class, () -> Exit.exit(3, "test"));
        assertEquals(3, exit.statusCode());
        assertTrue(assertThrows(EmbeddedKafkaBroker.KafkaExitException.class, () -> Exit.halt(4)).isHalt());
        broker.close();
        assertFalse(broker.isRunning());
        broker.close();
        assertFalse(broker.isRunning());
        assertThrows(IllegalStateException.class, broker::start, "a closed instance stays closed (stop() is the restartable one)");
    }

    private static Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<TopicPartition, Long> result = new HashMap<>();
        committed.forEach((tp, om) -> {
            if (om != null) {
                result.put(tp, om.offset());
            }
        });
        return result;
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafkaBroker broker) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer());
    }
}
