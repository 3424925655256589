package dev.kiln.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The token bucket's arithmetic on a clock the test moves. */
class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGrantsItsBurstThenSaysHowLongToWait() {
        TokenBucket b = new TokenBucket(2, 3, 0);
        assertEquals(0, b.take(0));
        assertEquals(0, b.take(0));
        assertEquals(0, b.take(0));
        assertEquals(SECOND / 2, b.take(0), "2 per second: the next token in half a second");
    }

    @Test
    void tokensRefillAtTheRateButNeverPastTheBurst() {
        TokenBucket b = new TokenBucket(1, 2, 0);
        b.take(0);
        b.take(0);
        assertEquals(0, b.take(SECOND), "one token after one second");
        assertEquals(SECOND, b.take(SECOND));
        // A long idle time fills the bucket only up to its size.
        assertEquals(0, b.take(100 * SECOND));
        assertEquals(0, b.take(100 * SECOND));
        assertEquals(SECOND, b.take(100 * SECOND));
    }

    @Test
    void aRefusedRequestTakesNoToken() {
        TokenBucket b = new TokenBucket(1, 1, 0);
        b.take(0);
        assertEquals(SECOND / 2, b.take(SECOND / 2));
        assertEquals(0, b.take(SECOND), "the refusal at 0.5 s did not push the next token later");
    }

    @Test
    void aNonPositiveRateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    }
}
