package dev.kiln.deploy.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.deploy.KilnService;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.kafka.KafkaHeaders;
import dev.kiln.kafka.KilnTopics;
import dev.kiln.runtime.config.KilnConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code case=tiny} of the routing bench: tiny linear jobs (2-D Poisson, 16 unknowns) through
 * Kiln as it is deployed — {@link KilnService} on the embedded broker, every loaded backend,
 * start-up calibration — published to {@code kiln.jobs} by a plain producer and read back
 * from {@code kiln.results}, as a client's pipeline would. Two passes over the same service:
 * <ul>
 *   <li>{@code flood}: every job published at once; {@code throughput_jobs_s} = jobs ÷ (last
 *       result − first send). Latencies here are mostly the backlog's, so not reported;</li>
 *   <li>{@code paced}: jobs published at a fixed rate ({@code --tiny-rate}, default 5 000/s,
 *       the target) in 1 ms ticks; {@code p50_ms}/{@code p99_ms} are send → result
 *       as the client sees them, and {@code achieved_jobs_s} says whether Kiln kept up.</li>
 * </ul>
 * Heap after {@code System.gc()} (MemoryMXBean) once the service is up and warm, and after
 * both passes: unbounded growth per job would show as the difference.
 */
final class TinyJobsRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Warm-up ({@code --tiny-warm-up N} fixes the count instead): passes of this many jobs until
     * the JIT has compiled the per-job path. C2 takes a method after some 5 000–15 000 calls
     * (HotSpot's Tier4InvocationThreshold and Tier4CompileThreshold), i.e. jobs; with a fixed 500
     * the compiler threads took 173 µs of CPU per job of the 20 000-job flood that followed, a third
     * of the process's (measured here: per-thread CPU from /proc over the flood of {@code ./kiln
     * bench routing --case tiny}) — a start-up cost a long-running service pays once, not per job.
     */
    static final int WARM_UP_PASS = 5_000;
    /**
     * Warm once the compiler threads' CPU over a pass is at most this share of its wall time
     * (a tenth of a core; {@link CompilerCpu}).
     */
    static final double WARM_JIT_SHARE = 0.10;
    /**
     * The paced warm-up (full run; {@code --tiny-paced-warm-up N} fixes the count, 0 none): paced
     * passes of this many seconds until the compiler threads' CPU is at most {@link
     * #WARM_JIT_SHARE} of a pass, at most {@link #PACED_WARM_UP_MAX_SECONDS}. The flood warm-up
     * does not compile what the paced regime runs (small fetches and produce batches take other
     * branches of the broker and clients): after 60 000 flood jobs the C2 thread still used 0.45–0.75
     * of a core for the first ~20 s at 5 000/s, 12–13 s of CPU in a 20-s pass, then under 0.05 for
     * the next 80 s, while the process fell from 1.6–1.7 to 0.7–0.8 cores (measured here, 29 Nov:
     * per-thread CPU from /proc every 2 s over a 100-s paced pass, --tiny-paced-jobs 500000).
     */
    static final int PACED_WARM_UP_PASS_SECONDS = 5;
    /** At most this long of paced warm-up, s, warm or not. */
    static final int PACED_WARM_UP_MAX_SECONDS = 60;
    /** At most this many warm-up jobs (20 000 with --quick), warm or not. */
    static final int WARM_UP_MAX = 60_000;

    /**
     * Length of the full run's paced pass, s: several collections of every collector at 5 000
     * jobs/s (measured here, -Xlog:gc of ./kiln bench routing --case tiny: ParallelGC's young
     * collections every 5–8 s, ZGC's cycles every 6–7 s, with the launcher's default heap).
     */
    static final int PACED_SECONDS = 20;

    private TinyJobsRun() { }

    static void run(BenchArgs args, BenchReport report) throws Exception {
        int jobs = args.getInt("tiny-jobs", args.quick() ? 2_000 : 20_000);
        int rate = args.getInt("tiny-rate", 5_000);
        // The paced pass lasts PACED_SECONDS (full run): a 4-s pass (20 000 jobs) held one young
        // ParallelGC pause or none, and no ZGC cycle at all, so its p99 was a draw on whether a
        // collection fell inside it. --quick keeps --tiny-jobs.
        int pacedJobs = args.getInt("tiny-paced-jobs", args.quick() ? jobs : PACED_SECONDS * rate);
        int fixedPacedWarmUp = args.getInt("tiny-paced-warm-up", args.quick() ? 0 : -1); // -1: adaptive
        int fixedWarmUp = args.getInt("tiny-warm-up", 0);
        int warmUpMax = args.quick() ? 20_000 : WARM_UP_MAX;
        Path data = Files.createTempDirectory("kiln-bench-tiny");
        Map<String, String> settings = new java.util.HashMap<>();
        // -Dkiln.x=y settings (KILN_JAVA_OPTS) reach the service, e.g. a client or broker property to try.
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("kiln.") && !k.toString().startsWith("kiln.bench.") && !k.equals("kiln.home")) settings.put(k.toString(), v.toString());
        });
        settings.putAll(Map.of(
                KilnConfig.KAFKA_PORT.name(), "0",
                KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.KAFKA_DATA_DIR.name(), data.resolve("kafka").toString(),
                KilnConfig.KAFKA_MAX_IN_FLIGHT.name(), args.get("tiny-in-flight", KilnConfig.KAFKA_MAX_IN_FLIGHT.defaultValue())));
        KilnConfig config = KilnConfig.of(settings);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (KilnService kiln = KilnService.start(config);
             KafkaProducer<byte[], byte[]> producer = producer(kiln.bootstrapServers(), args.getInt("tiny-client-linger-ms", 1));
             KafkaConsumer<byte[], byte[]> results = results(kiln.bootstrapServers())) {
            int warmUp = 0;
            if (fixedWarmUp > 0) {
                report.progress("tiny: warming up with " + fixedWarmUp + " jobs");
                pass("warm", fixedWarmUp, 0, producer, results, new java.util.TreeMap<>());
                warmUp = fixedWarmUp;
            } else {
                while (warmUp < warmUpMax) {
                    long jit0 = CompilerCpu.ms();
                    long t0 = System.nanoTime();
                    pass("warm" + warmUp, WARM_UP_PASS, 0, producer, results, new java.util.TreeMap<>());
                    warmUp += WARM_UP_PASS;
                    double share = (CompilerCpu.ms() - jit0) / ((System.nanoTime() - t0) / 1e6);
                    report.progress(String.format(java.util.Locale.ROOT, "tiny: warm-up, %d jobs, JIT compiler threads' CPU %.0f %% of a core over the last pass", warmUp, 100 * share));
                    if (share <= WARM_JIT_SHARE) break;
                }
            }
            int pacedWarmUp = 0;
            if (fixedPacedWarmUp > 0) {
                report.progress("tiny: paced warm-up, " + fixedPacedWarmUp + " jobs at " + rate + "/s");
                pass("warm-paced", fixedPacedWarmUp, rate, producer, results, new java.util.TreeMap<>());
                pacedWarmUp = fixedPacedWarmUp;
            } else if (fixedPacedWarmUp < 0) {
                int passJobs = PACED_WARM_UP_PASS_SECONDS * rate;
                while (pacedWarmUp < PACED_WARM_UP_MAX_SECONDS * rate) {
                    long jit0 = CompilerCpu.ms();
                    long t0 = System.nanoTime();
                    pass("warm-paced" + pacedWarmUp, passJobs, rate, producer, results, new java.util.TreeMap<>());
                    pacedWarmUp += passJobs;
                    double share = (CompilerCpu.ms() - jit0) / ((System.nanoTime() - t0) / 1e6);
                    report.progress(String.format(java.util.Locale.ROOT, "tiny: paced warm-up at %d/s, %d jobs, JIT compiler threads' CPU %.0f %% of a core over the last pass", rate, pacedWarmUp, 100 * share));
                    if (share <= WARM_JIT_SHARE) break;
                }
            }
            double heapStart = heapAfterGc(memory);
            io.micrometer.core.instrument.Timer overhead = kiln.runtime().metrics().registry().find("kiln.routing.overhead").timer();
            long decisions0 = overhead == null ? 0 : overhead.count();
            double overheadNs0 = overhead == null ? 0 : overhead.totalTime(TimeUnit.NANOSECONDS);
            report.progress("tiny: flood of " + jobs + " jobs");
            Map<String, Integer> backends = new java.util.TreeMap<>();
            CpuClock cpu = CpuClock.start();
            BrokerRequests requests = BrokerRequests.start();
            long jitMs0 = jitMs();
            long jitCpu0 = CompilerCpu.ms();
            TinyPass flood = pass("flood", jobs, 0, producer, results, backends);
            CpuClock.PerJob floodCpu = cpu.perJob(jobs);
            long floodJitMs = jitMs() - jitMs0;
            long floodJitCpuMs = CompilerCpu.ms() - jitCpu0;
            report.progress("tiny: flood CPU µs/job by thread (Java threads alive at the end; GC, JIT and finished threads not listed): " + cpu.topThreads(jobs, 12));
            report.progress("tiny: flood broker requests and records per job: " + requests.perJob(jobs));
            report.progress("tiny: " + pacedJobs + " jobs paced at " + rate + "/s from " + java.time.Instant.now());
            CpuClock pacedCpu = CpuClock.start();
            BrokerRequests pacedRequests = BrokerRequests.start();
            long pacedJit0 = jitMs();
            long pacedJitCpu0 = CompilerCpu.ms();
            GcPauses gc = GcPauses.start();
            MachineCpu machine = MachineCpu.start();
            long pacedStart = System.nanoTime();
            TinyPass paced = pass("paced", pacedJobs, rate, producer, results, backends);
            double[] cores = machine.coresSinceStart();
            long pacedJitMs = jitMs() - pacedJit0;
            long pacedJitCpuMs = CompilerCpu.ms() - pacedJitCpu0;
            Thread.sleep(50); // the notification of a pause that ended with the pass
            List<GcPauses.Pause> pauses = gc.pauses().stream().filter(q -> q.endNanos() >= pacedStart).toList();
            gc.close();
            double[] overlap = paced.tailOverlappingPauses(pauses);
            report.progress("tiny: paced GC pauses (+ms from the pass's start:ms collector/cause): " + pauses.stream()
                    .map(q -> String.format(java.util.Locale.ROOT, "+%d:%.0f %s/%s", (q.startNanos() - pacedStart) / 1_000_000, q.ms(), q.collector(), q.cause()))
                    .collect(java.util.stream.Collectors.joining(", ")));
            report.progress("tiny: paced worst 100 ms windows (+ms from the pass's start:max latency ms): " + paced.worstWindows(pacedStart, 8));
            report.progress("tiny: paced CPU µs/job by thread: " + pacedCpu.topThreads(pacedJobs, 12));
            report.progress("tiny: paced broker requests and records per job: " + pacedRequests.perJob(pacedJobs));
            double heapEnd = heapAfterGc(memory);
            // The router's own time per decision, from its timer, over the two timed passes.
            double overheadUs = overhead == null || overhead.count() == decisions0 ? Double.NaN
                    : (overhead.totalTime(TimeUnit.NANOSECONDS) - overheadNs0) / 1e3 / (overhead.count() - decisions0);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("jobs", jobs);
            f.put("warm_up_jobs", warmUp);
            f.put("throughput_jobs_s", flood.jobsPerS());
            f.put("offered_jobs_s", rate);
            f.put("paced_jobs", pacedJobs);
            f.put("achieved_jobs_s", paced.jobsPerS());
            // From each job's scheduled send (coordinated omission corrected); p99_from_send_ms is
            // from its actual send, the figure the bench reported before 29 Nov.
            f.put("p50_ms", paced.p50Ms());
            f.put("p99_ms", paced.p99Ms());
            f.put("p99_from_send_ms", paced.p99FromSendMs());
            f.put("flood_p99_ms", flood.p99Ms());
            // A pass without a pause has paused 0 ms at most and in all.
            DoubleSummaryStatistics pauseMs = pauses.stream().mapToDouble(GcPauses.Pause::ms).summaryStatistics();
            f.put("gc_pauses", pauses.size());
            f.put("gc_pause_max_ms", pauses.isEmpty() ? 0.0 : pauseMs.getMax());
            f.put("gc_pause_total_ms", pauseMs.getSum());
            // Share of the slowest 1 % whose wait overlaps a GC pause, and of all jobs (chance).
            f.put("tail_in_gc_pct", overlap[0]);
            f.put("all_in_gc_pct", overlap[1]);
            // Cores busy over the paced pass: this process (Kiln, broker, bench clients, JIT, GC), and
            // the rest of the machine (other work on a shared machine), of the machine's total.
            f.put("paced_process_cores", cores[0]);
            f.put("paced_other_cores", cores[1]);
            f.put("machine_cores", Runtime.getRuntime().availableProcessors());
            // CPU time per job in the flood: what the job costs whatever else runs on the machine
            // (the process = Kiln, the embedded broker and this bench's producer and reader).
            f.put("cpu_us_per_job", floodCpu.processUs());
            f.put("poll_thread_us_per_job", floodCpu.pollThreadUs());
            // The JIT's compile time during the flood: how much of cpu_us_per_job was still warm-up.
            f.put("flood_jit_ms", floodJitMs);
            f.put("paced_warm_up_jobs", pacedWarmUp);
            f.put("paced_jit_ms", pacedJitMs);
            // The compiler threads' CPU time (/proc; CompilerCpu): what the JIT really took. The two
            // *_jit_ms above are the MXBean's summed wall time of compile tasks, inflated when starved.
            f.put("flood_jit_cpu_ms", floodJitCpuMs);
            f.put("paced_jit_cpu_ms", pacedJitCpuMs);
            // The result's own timing (whole ms): accepted → answered inside Kiln, and the solve alone.
            f.put("kiln_total_ms_mean", paced.kilnTotalMsMean());
            f.put("solve_ms_mean", paced.solveMsMean());
            f.put("overhead_us", overheadUs);
            f.put("heap_start_mb", heapStart);
            f.put("heap_end_mb", heapEnd);
            f.put("failed", flood.notSucceeded() + paced.notSucceeded());
            f.put("backends", backends.toString().replace(" ", "").replace("{", "").replace("}", "").replace("=", ":"));
            report.record("tiny", f);
        } finally {
            deleteTree(data);
        }
    }

    /**
     * Publishes {@code jobs} tiny jobs ({@code rate} per second, or all at once when 0) and waits
     * for every result.
     */
    private static TinyPass pass(String name, int jobs, int rate, KafkaProducer<byte[], byte[]> producer,
                             KafkaConsumer<byte[], byte[]> results, Map<String, Integer> backends) throws Exception {
        java.util.concurrent.atomic.AtomicLongArray sent = new java.util.concurrent.atomic.AtomicLongArray(jobs);
        long[] due = new long[jobs];
        double[] received = new double[jobs];
        Arrays.fill(received, Double.NaN);
        int[] got = {0};
        int[] notSucceeded = {0};
        double[] inKiln = {0};
        double[] solving = {0};
        String prefix = "tiny-" + name + "-";
        Thread reader = Thread.ofPlatform().name("bench-tiny-results").start(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (got[0] < jobs && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    if (!id.startsWith(prefix)) continue;
                    int i = Integer.parseInt(id.substring(prefix.length()));
                    if (!Double.isNaN(received[i])) continue; // a duplicate (at-least-once)
                    received[i] = now;
                    got[0]++;
                    if (!"succeeded".equals(status(r))) notSucceeded[0]++;
                    ResultFields res = ResultFields.of(r.value());
                    backends.merge(res.backend(), 1, Integer::sum);
                    inKiln[0] += res.totalMs();
                    solving[0] += res.solveMs();
                }
            }
        });
        long start = System.nanoTime();
        long periodNs = rate > 0 ? 1_000_000_000L / rate : 0;
        for (int i = 0; i < jobs; i++) {
            due[i] = start + i * periodNs;
            if (rate > 0) {
                long wait = due[i] - System.nanoTime();
                if (wait > 1_000_000) LockSupport.parkNanos(wait); // 1 ms ticks: the jobs of a tick go together
            }
            String id = prefix + i;
            byte[] doc = ("{\"id\":\"" + id + "\",\"kind\":\"linear\",\"problem\":{\"matrix\":{\"generator\":\"poisson2d\",\"nx\":4},"
                    + "\"rhs\":{\"generator\":\"ones\"}},\"options\":{\"tolerance\":1e-8}}").getBytes(StandardCharsets.UTF_8);
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KilnTopics.JOBS, id.getBytes(StandardCharsets.UTF_8), doc);
            r.headers().add(KafkaHeaders.JOB_ID, id.getBytes(StandardCharsets.UTF_8));
            sent.set(i, System.nanoTime());
            producer.send(r);
        }
        producer.flush();
        reader.join();
        if (got[0] < jobs) throw new IllegalStateException(name + ": only " + got[0] + " of " + jobs + " results within 5 min");
        double[] latency = new double[jobs];
        double[] fromSend = new double[jobs];
        double last = 0;
        for (int i = 0; i < jobs; i++) {
            latency[i] = TinyPass.latencyMs(due[i], sent.get(i), (long) received[i]);
            fromSend[i] = (received[i] - sent.get(i)) / 1e6;
            last = Math.max(last, received[i]);
        }
        double seconds = (last - start) / 1e9;
        return new TinyPass(jobs / seconds, TinyPass.percentile(latency, 0.50), TinyPass.percentile(latency, 0.99), TinyPass.percentile(fromSend, 0.99),
                notSucceeded[0], inKiln[0] / jobs, solving[0] / jobs, due, latency);
    }

    private static String status(ConsumerRecord<byte[], byte[]> r) {
        var h = r.headers().lastHeader(KafkaHeaders.STATUS);
        if (h != null) return new String(h.value(), StandardCharsets.UTF_8);
        try {
            JsonNode n = JSON.readTree(r.value());
            return n.path("status").asText();
        } catch (java.io.IOException e) {
            return "unreadable";
        }
    }

    /** The JIT compilers' accumulated time, ms (-1 when the JVM does not say). */
    private static long jitMs() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static double heapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed() / 1e6;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        // A pipeline's producer as Kafka ships it, but with linger.ms 1 (Kafka 4's default is 5).
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, lingerMs, ProducerConfig.CLIENT_ID_CONFIG, "kiln-bench-tiny"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Reads kiln.results from its current end, without a group. */
    static KafkaConsumer<byte[], byte[]> results(String bootstrap) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.CLIENT_ID_CONFIG, "kiln-bench-tiny-results",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo pi : c.partitionsFor(KilnTopics.RESULTS)) parts.add(new TopicPartition(pi.topic(), pi.partition()));
        c.assign(parts);
        c.seekToEnd(parts);
        for (TopicPartition tp : parts) c.position(tp);
        return c;
    }

    static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
