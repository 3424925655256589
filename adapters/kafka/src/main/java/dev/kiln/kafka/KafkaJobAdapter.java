package dev.kiln.kafka;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Submission;
import dev.kiln.runtime.store.JobRecord;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.runtime.wire.ResultEncoder;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobError;
import dev.kiln.spi.JobResult;
import dev.kiln.spi.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consumes {@code kiln.jobs}, hands each job to the runtime, and publishes its result on
 * {@code kiln.results} (or the {@code kiln-reply-to} topic), progress on
 * {@code kiln.progress}, and what cannot be parsed or accepted on {@code kiln.dead-letter}.
 *
 * <p>Delivery: at-least-once. An offset is committed only after the results of it and of
 * every earlier record of its partition are acknowledged by the broker (idempotent
 * producer, acks=all). A job seen again under an id this process already knows is answered
 * with the stored result, so a redelivery republishes identical content.
 *
 * <p>Backpressure: when the runtime's queues are full, or {@code maxInFlight} jobs are taken
 * and unanswered, the assigned partitions are paused while the consumer keeps polling (so
 * the group does not think it dead), and resumed as answers go out.
 *
 * <p>Threads: one poll thread owns the consumer (Kafka consumers are single-threaded);
 * results are published from one publisher thread; producer callbacks report answered
 * offsets back to the poll thread through a queue.
 */
public final class KafkaJobAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaJobAdapter.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * Poll wait while jobs are in flight: answers come back on the producer's thread and are
     * acted on (commit, resume) only between polls, and a paused consumer's poll sleeps its whole
     * timeout; with 100 ms a saturated replica answered at most max-in-flight jobs per 100 ms
     * (measured here, CrashSafetyTest, load average ~20: 3 replicas at max-in-flight 8 took 20 s
     * for their first 500 results; 12 s with 5 ms).
     */
    private static final Duration POLL_BUSY = Duration.ofMillis(5);
    /**
     * Poll timeout while paused because a runtime queue is full: a slot frees when a worker takes
     * a job, which nothing signals to this thread, so it looks again every millisecond (a paused
     * poll fetches nothing).
     */
    private static final Duration POLL_PAUSED = Duration.ofMillis(1);
    /**
     * Paused at {@code max-in-flight}, the loop waits on the answer queue itself, up to this long
     * between polls: the answers that let it resume arrive from the producer's callbacks, which a
     * poll cannot see, so a paused poll of {@link #POLL} slept out its whole timeout first (64
     * in-flight jobs per ~100 ms, about 400 tiny jobs/s), and a poll every millisecond instead
     * spent a quarter of the poll thread in the consumer's per-poll bookkeeping (measured here: JFR
     * of {@code ./kiln bench routing --quick --case tiny}). Not {@code wakeup()}: it would also
     * abort a commitSync in the rebalance listener or at shutdown.
     */
    private static final long AWAIT_ANSWER_MS = 100;
    /**
     * Least time between two asynchronous offset commits. A commit per loop (one every 1–5 ms
     * under load) made the group coordinator's threads cost 45 µs of CPU per tiny job (measured
     * here: per-thread CPU of {@code ./kiln bench routing --quick --case tiny}). Waiting longer
     * only widens what a crash redoes (at-least-once either way); a revocation and shutdown still
     * commit synchronously everything answered.
     */
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The job consumer's {@code fetch.min.bytes} (Kafka's default 1): the broker holds a fetch until
     * this much is there or {@link #FETCH_MAX_WAIT_MS} passed, so a fetch carries ~20 tiny jobs
     * (~0.4 KB each with headers) instead of the one 1-ms tick of a client sending 5 000/s. Measured
     * here (29 Nov, seven pairs alternating, ./kiln bench routing --case tiny, JIT-warm paced pass,
     * load 4–31): Fetch requests 0.14–0.18 → 0.07–0.08 per job, the process's CPU (/proc, every
     * thread) median 155 → 133 µs per job (broker threads 42–58 → 34–45, poll thread 27–35 → 20–25),
     * p50 median 7.1 → 11.2 ms, p99 not resolved against the noise (under 50 ms for both at load 4–5). {@code kiln.kafka.client.fetch.min.bytes} overrides it (1 for the
     * least latency of lone jobs).
     */
    static final int FETCH_MIN_BYTES = 8_192;
    /**
     * The job consumer's {@code fetch.max.wait.ms} (Kafka's default 500): the most a job waits in
     * the broker for {@link #FETCH_MIN_BYTES} to gather — at low rates every job waits this long, a
     * few ms against a p99 budget of 50 ms (issue 8). {@code kiln.kafka.client.fetch.max.wait.ms}
     * overrides it.
     */
    static final int FETCH_MAX_WAIT_MS = 5;

    private final KilnRuntime runtime;
    private final KafkaSettings settings;
    private final ResultEncoder encoder = new ResultEncoder();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final ScheduledThreadPoolExecutor publisher;
    private final Thread pollThread;
    private final LinkedBlockingQueue<Answered> answered = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionOffsets> offsets = new HashMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> waiting = new ArrayDeque<>();
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AutoCloseable progressSubscription;
    private volatile boolean running = true;
    private boolean paused;
    private long lastCommitNanos = System.nanoTime();

    private record Answered(TopicPartition tp, long offset) { }

    private KafkaJobAdapter(KilnRuntime runtime, KafkaSettings s) {
        this.runtime = runtime;
        this.settings = s;
        Map<String, Object> common = new HashMap<>(s.clientProperties());
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
        this.admin = Admin.create(common);

        this.consumer = new KafkaConsumer<>(consumerConfig(s));

        Map<String, Object> p = new HashMap<>(common);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KilnTopics.MAX_MESSAGE_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kiln-results-" + s.group());
        this.producer = new KafkaProducer<>(p);

        this.publisher = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kiln-kafka-publisher");
            t.setDaemon(true);
            return t;
        });
        // A retry still waiting at shutdown is dropped: its offset is uncommitted, so the job runs again elsewhere.
        this.publisher.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.progressSubscription = runtime.progress().subscribeAll(e ->
                producer.send(new ProducerRecord<>(KilnTopics.PROGRESS, key(e.jobId()), encoder.encode(e))));
        this.pollThread = new Thread(this::pollLoop, "kiln-kafka-poll");
    }

    /**
     * The job consumer's properties: Kiln's fetch defaults ({@link #FETCH_MIN_BYTES}, {@link
     * #FETCH_MAX_WAIT_MS}), then the settings' client properties ({@code kiln.kafka.client.*},
     * which may override those two), then what the adapter's delivery depends on (group, manual
     * commits, read_committed, byte arrays), which nothing overrides.
     */
    static Map<String, Object> consumerConfig(KafkaSettings s) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        c.putAll(s.clientProperties());
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, s.group());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, Math.min(100, s.maxInFlight())));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiln-jobs-" + s.group());
        return c;
    }

    /**
     * Creates Kiln's topics when absent, joins the consumer group and starts consuming.
     * Blocks the caller until the topics exist (bounded).
     */
    public static KafkaJobAdapter start(KilnRuntime runtime, KafkaSettings settings) throws InterruptedException {
        KafkaJobAdapter a = new KafkaJobAdapter(runtime, settings);
        try {
            KilnTopics.ensure(a.admin, settings.partitions(), 30_000);
        } catch (RuntimeException | InterruptedException e) {
            a.closeClients();
            throw e;
        }
        a.knownTopics.add(KilnTopics.RESULTS);
        a.pollThread.start();
        return a;
    }

    // ------------------------------------------------------------------ poll thread

    private void pollLoop() {
        try {
            consumer.subscribe(java.util.List.of(KilnTopics.JOBS), new Rebalance());
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    Duration timeout = paused ? POLL_PAUSED : inFlight.get() > 0 || !waiting.isEmpty() ? POLL_BUSY : POLL;
                    if (paused && waiting.isEmpty() && awaitAnswer()) timeout = Duration.ZERO;
                    records = consumer.poll(timeout);
                } catch (WakeupException e) {
                    if (!running) break;
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    offsets.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new PartitionOffsets()).taken(r.offset());
                    waiting.add(r);
                }
                drainWaiting();
                drainAnswered();
                long now = System.nanoTime();
                if (now - lastCommitNanos >= COMMIT_INTERVAL_NANOS) {
                    commitDirty(false);
                    lastCommitNanos = now;
                }
                adjustPause();
            }
        } catch (RuntimeException e) {
            LOG.error("Kafka poll loop failed; jobs stop being consumed until restart", e);
        } finally {
            try {
                finishInFlight(settings.shutdownGraceMs());
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer: {}", e.toString());
            }
            stopped.countDown();
        }
    }

    /** Hands waiting records to the runtime until one does not fit (queue full). */
    private void drainWaiting() {
        while (!waiting.isEmpty() && inFlight.get() < settings.maxInFlight()) {
            ConsumerRecord<byte[], byte[]> r = waiting.peek();
            if (!take(r)) return; // queue full: keep it, pause, retry on the next loop
            waiting.poll();
        }
    }

    /** Handles one record; false when the runtime's queue is full and it must wait. */
    private boolean take(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Job job;
        try {
            job = runtime.decoder().decode(r.value());
        } catch (JobRejectedException e) {
            String id = e.jobId() != null ? e.jobId() : headerId(r);
            JobRejectedException withId = e.jobId() != null ? e
                    : new JobRejectedException(e.code(), e.field(), stripField(e), id, e.kind());
            JobRecord rec = runtime.reject(withId);
            inFlight.incrementAndGet();
            publisher.execute(() -> {
                deadLetter(r, e);
                publish(r, tp, rec.result().join());
            });
            return true;
        } catch (RuntimeException e) {
            // A decoder bug must not stall the partition: dead-letter with what we know.
            LOG.error("decoding record {}-{}@{} threw", r.topic(), r.partition(), r.offset(), e);
            JobRejectedException je = new JobRejectedException(ErrorCode.INTERNAL, "", "decoder failed: " + e, headerId(r), null);
            JobRecord rec = runtime.reject(je);
            inFlight.incrementAndGet();
            publisher.execute(() -> {
                deadLetter(r, je);
                publish(r, tp, rec.result().join());
            });
            return true;
        }
        Submission s = runtime.submit(job);
        JobRecord rec;
        switch (s) {
            case Submission.QueueFull q -> {
                return false;
            }
            case Submission.Accepted a -> rec = a.record();
            case Submission.Rejected rj -> rec = rj.record();
        }
        inFlight.incrementAndGet();
        rec.result().whenCompleteAsync((res, err) -> publish(r, tp, res), publisher);
        return true;
    }

    private static String stripField(JobRejectedException e) {
        String m = e.getMessage();
        return e.field().isEmpty() ? m : m.substring(e.field().length() + 2);
    }

    /**
     * Paused at max-in-flight: blocks until the first answer (handled here) or
     * {@link #AWAIT_ANSWER_MS}; true when one came, so the poll that follows need not wait.
     */
    private boolean awaitAnswer() {
        try {
            Answered a = answered.poll(AWAIT_ANSWER_MS, TimeUnit.MILLISECONDS);
            if (a == null) return false;
            answered(a);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
    }

    private void answered(Answered a) {
        PartitionOffsets po = offsets.get(a.tp());
        if (po != null) po.answered(a.offset()); // null: partition revoked meanwhile
        inFlight.decrementAndGet();
    }

    private void drainAnswered() {
        Answered a;
        while ((a = answered.poll()) != null) answered(a);
    }

    private void commitDirty(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (Map.Entry<TopicPartition, PartitionOffsets> e : offsets.entrySet()) {
            if (e.getValue().dirty()) {
                long off = e.getValue().committable();
                commit.put(e.getKey(), new OffsetAndMetadata(off));
                e.getValue().markCommitted(off);
            }
        }
        if (commit.isEmpty()) return;
        if (sync) {
            consumer.commitSync(commit, Duration.ofSeconds(10));
        } else {
            // The callback runs on this (the poll) thread, inside a later poll or commit.
            consumer.commitAsync(commit, (m, ex) -> {
                if (ex == null) return;
                // Found by the broker-restart test: a failed commit used to count as done, so a partition
                // with no later answer kept its old committed offset and redid those jobs after a rebalance.
                LOG.warn("offset commit failed (committed again on the next loop): {}", ex.toString());
                commit.forEach((tp, om) -> {
                    PartitionOffsets po = offsets.get(tp);
                    if (po != null) po.commitFailed(om.offset());
                });
            });
        }
    }

    private void adjustPause() {
        boolean shouldPause = !waiting.isEmpty() || inFlight.get() >= settings.maxInFlight();
        if (shouldPause && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (!shouldPause && paused) {
            consumer.resume(consumer.assignment());
            paused = false;
        }
    }

    /** Waits (bounded) for taken jobs to be answered, then commits. Poll thread only. */
    private void finishInFlight(long graceMs) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        drainAnswered();
        // Records fetched but never handed to the runtime count as pending (the commit must not
        // pass them) yet will never be answered: wait only for the ones the runtime holds.
        while (pendingTotal() > waiting.size() && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            drainAnswered();
        }
        try {
            commitDirty(true);
        } catch (RuntimeException e) {
            LOG.warn("final offset commit failed: {}", e.toString());
        }
        LOG.info("stopped consuming: {} job(s) unanswered after the grace period, {} fetched record(s) handed back to the group",
                pendingTotal() - waiting.size(), waiting.size());
    }

    private int pendingTotal() {
        int n = 0;
        for (PartitionOffsets po : offsets.values()) n += po.pendingCount();
        return n;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Commit what is answered; records not yet handed to the runtime go back to the group.
            int handedBack = 0;
            for (ConsumerRecord<byte[], byte[]> r : waiting) {
                if (partitions.contains(new TopicPartition(r.topic(), r.partition()))) handedBack++;
            }
            waiting.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(settings.shutdownGraceMs(), 30_000));
            drainAnswered();
            // Handed-back records stay pending (so the commit stops before them) but are never answered.
            while (pending(partitions) > handedBack && System.nanoTime() < end) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                drainAnswered();
            }
            try {
                commitDirty(true);
            } catch (RuntimeException e) {
                LOG.warn("commit on revocation failed: {}", e.toString());
            }
            for (TopicPartition tp : partitions) offsets.remove(tp);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) consumer.pause(partitions);
        }

        private int pending(Collection<TopicPartition> parts) {
            int n = 0;
            for (TopicPartition tp : parts) {
                PartitionOffsets po = offsets.get(tp);
                if (po != null) n += po.pendingCount();
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ publisher thread

    /** Publishes a result; on acknowledgement the offset counts as answered. Publisher thread. */
    private void publish(ConsumerRecord<byte[], byte[]> source, TopicPartition tp, JobResult result) {
        publish(source, tp, result, 0);
    }

    private void publish(ConsumerRecord<byte[], byte[]> source, TopicPartition tp, JobResult result, int attempt) {
        String topic = replyTopic(source);
        RecordHeaders h = new RecordHeaders();
        h.add(KafkaHeaders.JOB_ID, result.id().getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.STATUS, result.status().wireName().getBytes(StandardCharsets.UTF_8));
        Header corr = source.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        if (corr != null) h.add(KafkaHeaders.CORRELATION_ID, corr.value());
        byte[] value = encoder.encode(result);
        try {
            producer.send(new ProducerRecord<>(topic, null, key(result.id()), value, h), (md, ex) -> {
                if (ex == null) {
                    answered.add(new Answered(tp, source.offset()));
                } else if (ex instanceof RecordTooLargeException) {
                    publisher.execute(() -> publish(source, tp, withoutSolution(result, ex)));
                } else {
                    sendAgainLater(source, tp, result, attempt, topic, ex);
                }
            });
        } catch (RuntimeException e) {
            sendAgainLater(source, tp, result, attempt, topic, e);
        }
    }

    /**
     * A result the producer gave up on (e.g. the broker was away longer than
     * {@code delivery.timeout.ms}) is sent again after a backoff, 0.5 s doubling to 30 s, for as
     * long as Kiln runs. Found by the broker-restart test: it used to be logged and dropped, which
     * left its offset uncommitted (fine) but its in-flight slot taken for good, so every outage
     * shrank the replica's {@code max-in-flight} until the replica stopped taking jobs.
     */
    private void sendAgainLater(ConsumerRecord<byte[], byte[]> source, TopicPartition tp, JobResult result, int attempt,
                                String topic, Exception ex) {
        long delayMs = Math.min(30_000, 500L << Math.min(attempt, 6));
        LOG.warn("could not publish the result of job {} to {} (attempt {}): {}; sending it again in {} ms",
                result.id(), topic, attempt + 1, ex.toString(), delayMs);
        try {
            publisher.schedule(() -> publish(source, tp, result, attempt + 1), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // Not answered, so not committed: the group or the next start runs the job again.
            LOG.error("result of job {} not sent: Kiln is stopping; its offset stays uncommitted", result.id());
        }
    }

    private static JobResult withoutSolution(JobResult r, Exception ex) {
        return new JobResult(r.id(), r.kind(), r.status() == JobStatus.SUCCEEDED ? JobStatus.FAILED : r.status(),
                new JobError(ErrorCode.TOO_LARGE, "the result with its solution is too large for a Kafka record ("
                        + ex.getMessage() + "); ask without returnSolution or use the HTTP API"),
                r.backend(), r.method(), r.parameters(), r.iterations(), r.residualNorm(), r.converged(), null,
                r.timing(), r.cost(), r.routing());
    }

    private String replyTopic(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaHeaders.REPLY_TO);
        if (h == null) return KilnTopics.RESULTS;
        String t = new String(h.value(), StandardCharsets.UTF_8);
        if (!KilnTopics.legalName(t) || t.startsWith("__") || t.equals(KilnTopics.JOBS)) {
            LOG.warn("ignoring illegal {} header '{}' of {}-{}@{}", KafkaHeaders.REPLY_TO, t, r.topic(), r.partition(), r.offset());
            return KilnTopics.RESULTS;
        }
        if (!knownTopics.contains(t)) {
            try {
                KilnTopics.ensure(admin, t, settings.partitions(), 10_000);
                knownTopics.add(t);
            } catch (RuntimeException e) {
                LOG.warn("reply-to topic '{}' could not be created ({}); answering on {}", t, e.getMessage(), KilnTopics.RESULTS);
                return KilnTopics.RESULTS;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return KilnTopics.RESULTS;
            }
        }
        return t;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, JobRejectedException e) {
        RecordHeaders h = new RecordHeaders();
        for (Header orig : r.headers()) h.add(orig.key(), orig.value());
        h.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.DLT_EXCEPTION_FQCN, JobRejectedException.class.getName().getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.DLT_EXCEPTION_MESSAGE, e.getMessage().getBytes(StandardCharsets.UTF_8));
        h.add(KafkaHeaders.ERROR_CODE, e.code().wireName().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(new ProducerRecord<>(KilnTopics.DEAD_LETTER, null, r.key(), r.value(), h), (md, ex) -> {
                if (ex != null) LOG.error("could not dead-letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.toString());
            });
        } catch (RuntimeException ex) {
            LOG.error("could not dead-letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.toString());
        }
    }

    /** The id for a message whose body gave none: the kiln-job-id header, or its position. */
    private static String headerId(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaHeaders.JOB_ID);
        if (h != null && h.value() != null && h.value().length > 0 && h.value().length <= 256) {
            return new String(h.value(), StandardCharsets.UTF_8);
        }
        return "kafka:" + r.topic() + "/" + r.partition() + "/" + r.offset();
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    /** Jobs taken from Kafka and not yet answered (their results not yet acknowledged by the broker). */
    public int inFlight() { return inFlight.get(); }

    /**
     * Stops consuming, waits up to the grace period for taken jobs to be answered, commits,
     * and closes the clients. Jobs not answered by then are not committed: the group hands
     * them to another replica or to the next start. Any thread; blocks.
     */
    @Override
    public void close() {
        if (!running && stopped.getCount() == 0) return;
        running = false;
        consumer.wakeup();
        try {
            stopped.await(settings.shutdownGraceMs() + 15_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClients();
    }

    private void closeClients() {
        try {
            progressSubscription.close();
        } catch (Exception e) {
            LOG.debug("unsubscribing progress", e);
        }
        publisher.shutdown();
        try {
            publisher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
        if (!pollThread.isAlive()) {
            try {
                consumer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.trace("consumer already closed", e);
            }
        }
    }
}
