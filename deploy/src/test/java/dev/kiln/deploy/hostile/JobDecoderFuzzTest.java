package dev.kiln.deploy.hostile;

import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.runtime.wire.JobDecoder;
import dev.kiln.runtime.wire.JobRejectedException;
import dev.kiln.runtime.wire.WireLimits;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.Job;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of {@link JobDecoder#decode(byte[])} (issue 9): thousands of mutations of
 * valid job documents ({@link HostileJobGenerator}). Each must give a valid {@link Job} or a
 * {@link JobRejectedException} with a code and a message naming a field (or, for bytes that
 * are not a job document at all, the document) — never another exception or error.
 *
 * <p>Replay: {@code -Dkiln.fuzz.seed=S -Dkiln.fuzz.count=N} (defaults 20250509 and 5000); a
 * failure message names the seed and the index. The limits are small (256 KiB documents,
 * 100 000 unknowns) so that documents over them are cheap to make; the checks against the
 * limits are the same code whatever their values.
 *
 * <p>Lives in deploy beside the Kafka and HTTP hostile-input tests, which share the generator.
 */
class JobDecoderFuzzTest {
    static final long SEED = Long.getLong("kiln.fuzz.seed", 20250509L);
    static final int COUNT = Integer.getInteger("kiln.fuzz.count", 5000);
    static final WireLimits LIMITS = new WireLimits(256 * 1024, 100_000, 1_000_000L, 32);

    @Test
    void everyMutatedDocumentIsAJobOrAPreciseRejection() {
        MatrixStore store = new MatrixStore(1_000_000);
        String ref = store.put(PoissonGenerator.poisson2d(3, 3, 0, null));
        JobDecoder decoder = new JobDecoder(LIMITS, store);
        HostileJobGenerator gen = new HostileJobGenerator(SEED, LIMITS.maxMessageBytes(), ref);
        Map<ErrorCode, Integer> codes = new EnumMap<>(ErrorCode.class);
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < COUNT; i++) {
            HostileJobGenerator.Hostile h = gen.next();
            try {
                Job job = decoder.decode(h.bytes());
                assertTrue(job.id() != null && !job.id().isEmpty());
                accepted++;
            } catch (JobRejectedException e) {
                codes.merge(e.code(), 1, Integer::sum);
                String problem = precise(e);
                if (problem != null) failures.add("#" + i + " " + problem + " :: " + e.getMessage() + "\n    " + h.preview());
            } catch (Throwable t) {
                failures.add("#" + i + " threw " + t + "\n    " + h.preview());
            }
        }
        System.out.printf("FUZZ decoder seed=%d inputs=%d accepted=%d rejected=%d failures=%d codes=%s%n",
                SEED, COUNT, accepted, COUNT - accepted - failures.size(), failures.size(), codes);
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())),
                failures.size() + " of " + COUNT + " inputs failed (seed " + SEED + ")");
        // A generator that only produced valid jobs, or only unparseable bytes, tests nothing.
        assertTrue(codes.getOrDefault(ErrorCode.UNPARSEABLE, 0) > COUNT / 20, "unparseable inputs: " + codes);
        assertTrue(codes.getOrDefault(ErrorCode.INVALID_PROBLEM, 0) > COUNT / 20, "invalid problems: " + codes);
        assertTrue(codes.getOrDefault(ErrorCode.TOO_LARGE, 0) > COUNT / 100, "too-large inputs: " + codes);
    }

    /** Null when the rejection is precise; else what is wrong with it. */
    static String precise(JobRejectedException e) {
        if (e.code() == null) return "no code";
        String m = e.getMessage();
        if (m == null || m.isBlank()) return "no message";
        if (m.length() > 1000) return "a message of " + m.length() + " characters (client text must be clipped)";
        // A rejection names the field at fault, unless the bytes are not a job document at all
        // (or are too large to read), when the message is about the document.
        boolean document = e.code() == ErrorCode.UNPARSEABLE || e.code() == ErrorCode.TOO_LARGE && e.field().isEmpty();
        if (e.field().isEmpty() && !document) return "no field named for " + e.code();
        if (!e.field().isEmpty() && !m.startsWith(e.field() + ": ")) return "the message does not start with its field";
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 && c != '\n' || c == 0x7f) return "an unprintable character in the message (U+" + Integer.toHexString(c) + ")";
        }
        return null;
    }
}
