package dev.kiln.http;

/**
 * A token bucket (Turner 1986; the algorithm of RFC 2697's single-rate meters): holds up to
 * {@code burst} tokens, refills at {@code perSecond}, and each request takes one. Time is
 * passed in, so tests need no clock.
 *
 * <p>Thread-safe (synchronized; a handful of arithmetic per call).
 */
final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double perSecond, int burst, long nowNanos) {
        if (!(perSecond > 0) || burst < 1) throw new IllegalArgumentException("rate must be > 0 and burst ≥ 1");
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes a token: 0 when granted, else the nanoseconds until one will be there. */
    synchronized long take(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }
}
