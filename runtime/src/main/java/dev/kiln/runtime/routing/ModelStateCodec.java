package dev.kiln.runtime.routing;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * {@link ModelState} ⇄ JSON bytes for {@code kiln.state}. Decoding validates shapes and
 * numbers and names the offending field, since the topic is shared with other writers.
 */
public final class ModelStateCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelStateCodec() { }

    public static byte[] encode(ModelState s) {
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new IllegalStateException("could not encode cost model " + s.backend() + "/" + s.kind(), e);
        }
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public static ModelState decode(byte[] bytes) {
        ModelState s;
        try {
            s = JSON.readValue(bytes, ModelState.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cost model state: not a ModelState document: " + e.getMessage(), e);
        }
        if (s.backend() == null || s.backend().isBlank()) throw new IllegalArgumentException("cost model state: backend missing");
        if (dev.kiln.spi.JobKind.fromWire(s.kind()) == null) throw new IllegalArgumentException("cost model state: kind '" + s.kind() + "' unknown");
        if (s.time() == null) throw new IllegalArgumentException("cost model state: time missing");
        check("time", s.time());
        if (s.energy() != null) check("energy", s.energy());
        if (s.affine() != null) check(s.affine());
        if (s.iterations() != null) {
            for (var e : s.iterations().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("cost model state: iterations has an empty entry");
                check("iterations." + e.getKey(), e.getValue());
            }
        }
        return s;
    }

    private static void check(String field, ModelState.Fit f) {
        int d = LogLinearModel.DIM;
        if (f.theta() == null || f.theta().length != d) throw new IllegalArgumentException("cost model state: " + field + ".theta must have " + d + " numbers");
        if (f.p() == null || f.p().length != d * d) throw new IllegalArgumentException("cost model state: " + field + ".p must have " + d * d + " numbers");
        for (double v : f.theta()) if (!Double.isFinite(v)) throw new IllegalArgumentException("cost model state: " + field + ".theta is not finite");
        for (double v : f.p()) if (!Double.isFinite(v)) throw new IllegalArgumentException("cost model state: " + field + ".p is not finite");
        if (!(f.sigma2() > 0) || !Double.isFinite(f.sigma2())) throw new IllegalArgumentException("cost model state: " + field + ".sigma2 must be > 0");
        if (f.samples() < 1) throw new IllegalArgumentException("cost model state: " + field + ".samples must be ≥ 1");
        if (!(f.minLogWork() <= f.maxLogWork())) throw new IllegalArgumentException("cost model state: " + field + ".minLogWork must be ≤ maxLogWork");
    }

    private static void check(ModelState.Affine f) {
        int d = AffineModel.DIM;
        if (f.a() == null || f.a().length != d * d) throw new IllegalArgumentException("cost model state: affine.a must have " + d * d + " numbers");
        if (f.b() == null || f.b().length != d) throw new IllegalArgumentException("cost model state: affine.b must have " + d + " numbers");
        for (double v : f.a()) if (!Double.isFinite(v)) throw new IllegalArgumentException("cost model state: affine.a is not finite");
        for (double v : f.b()) if (!Double.isFinite(v)) throw new IllegalArgumentException("cost model state: affine.b is not finite");
        for (int i = 0; i < d; i++) if (f.a()[i * d + i] < 0) throw new IllegalArgumentException("cost model state: affine.a must have a non-negative diagonal");
        if (!(f.sigma2() > 0) || !Double.isFinite(f.sigma2())) throw new IllegalArgumentException("cost model state: affine.sigma2 must be > 0");
        if (f.samples() < 1) throw new IllegalArgumentException("cost model state: affine.samples must be ≥ 1");
        if (!(f.minMs() > 0)) throw new IllegalArgumentException("cost model state: affine.minMs must be > 0");
        if (f.scored() < 0 || !(f.logLinearError() >= 0) || !(f.affineError() >= 0)) {
            throw new IllegalArgumentException("cost model state: affine.scored, logLinearError and affineError must be ≥ 0");
        }
    }
}
