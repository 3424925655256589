package dev.kiln.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Kiln's topics (DESIGN.md, "Kafka") and their creation when absent. Replication factor is
 * left to the broker's default, so the same code serves a one-node embedded broker and a
 * production cluster.
 */
public final class KilnTopics {
    public static final String JOBS = "kiln.jobs";
    public static final String RESULTS = "kiln.results";
    public static final String PROGRESS = "kiln.progress";
    public static final String DEAD_LETTER = "kiln.dead-letter";
    public static final String STATE = "kiln.state";

    /** Largest record Kiln writes or accepts on its topics: a result with a solution of ~2.5M doubles. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private KilnTopics() { }

    /** Creates any of Kiln's topics that do not exist; blocks up to {@code timeoutMs}. */
    public static void ensure(Admin admin, int partitions, long timeoutMs) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        Map<String, String> big = Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        for (String t : List.of(JOBS, RESULTS, PROGRESS, DEAD_LETTER)) {
            topics.add(new NewTopic(t, Optional.of(partitions), Optional.empty()).configs(big));
        }
        topics.add(new NewTopic(STATE, Optional.of(1), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))));
        create(admin, topics, timeoutMs);
    }

    /** Creates one topic (a client's reply-to topic) if absent. */
    public static void ensure(Admin admin, String topic, int partitions, long timeoutMs) throws InterruptedException {
        create(admin, List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                .configs(Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES)))), timeoutMs);
    }

    private static void create(Admin admin, List<NewTopic> topics, long timeoutMs) throws InterruptedException {
        var result = admin.createTopics(topics);
        for (var e : result.values().entrySet()) {
            try {
                e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new IllegalStateException("creating topic " + e.getKey() + " timed out after " + timeoutMs + " ms", ex);
            }
        }
    }

    /** True when {@code name} is a legal Kafka topic name (used to vet reply-to headers). */
    public static boolean legalName(String name) {
        try {
            Topic.validate(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
