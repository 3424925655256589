package dev.kiln.kafka;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The at-least-once commit rule of one partition: never commit past an unanswered job. */
class PartitionOffsetsTest {
    private final PartitionOffsets offsets = new PartitionOffsets();

    private void take(long... all) {
        for (long o : all) offsets.taken(o);
    }

    @Test
    void nothingTakenHasNothingToCommit() {
        assertEquals(-1, offsets.committable());
        assertFalse(offsets.dirty());
        assertEquals(0, offsets.pendingCount());
    }

    @Test
    void committableIsTheLowestPendingOffset() {
        take(10, 11, 12);
        assertEquals(10, offsets.committable());
        assertEquals(3, offsets.pendingCount());
    }

    @Test
    void laterAnswersNeverMovePastAnUnansweredOne() {
        take(10, 11, 12, 13);
        offsets.answered(13);
        offsets.answered(11);
        offsets.answered(12);
        assertEquals(10, offsets.committable(), "10 is still unanswered");
    }

    @Test
    void answeringTheLowestMovesToTheNextUnanswered() {
        take(10, 11, 12, 13);
        offsets.answered(12);
        offsets.answered(10);
        assertEquals(11, offsets.committable());
        offsets.answered(11);
        assertEquals(13, offsets.committable());
    }

    @Test
    void committableIsOnePastTheHighestWhenNothingIsPending() {
        take(10, 11, 12);
        offsets.answered(12);
        offsets.answered(10);
        offsets.answered(11);
        assertEquals(13, offsets.committable());
        assertEquals(0, offsets.pendingCount());
    }

    @Test
    void outOfOrderCompletionNeverLetsTheCommittableOffsetPassAnUnansweredOne() {
        long[] order = {7, 3, 9, 0, 5, 1, 8, 2, 6, 4};
        for (long o = 0; o < 10; o++) offsets.taken(o);
        boolean[] answered = new boolean[10];
        for (long o : order) {
            offsets.answered(o);
            answered[(int) o] = true;
            long c = offsets.committable();
            for (int k = 0; k < c && k < 10; k++) assertTrue(answered[k], "committable " + c + " passes unanswered " + k);
        }
        assertEquals(10, offsets.committable());
    }

    @Test
    void committableNeverMovesBackWhenOffsetsArriveInOrder() {
        long last = -1;
        for (long o = 100; o < 120; o++) {
            offsets.taken(o);
            if (o % 3 == 0) offsets.answered(o - 2);
            long c = offsets.committable();
            assertTrue(c >= last, c + " < " + last);
            last = c;
        }
    }

    @Test
    void answeringAnOffsetNeverTakenChangesNothing() {
        take(5);
        offsets.answered(4);
        assertEquals(5, offsets.committable());
        assertEquals(1, offsets.pendingCount());
    }

    @Test
    void takenOffsetIsDirtyUntilMarkedCommitted() {
        take(0);
        assertTrue(offsets.dirty());
        offsets.markCommitted(offsets.committable());
        assertFalse(offsets.dirty());
    }

    @Test
    void answeringTheLowestMakesItDirtyAgain() {
        take(0, 1);
        offsets.markCommitted(offsets.committable());
        offsets.answered(0);
        assertTrue(offsets.dirty());
        assertEquals(1, offsets.committable());
        offsets.markCommitted(1);
        assertFalse(offsets.dirty());
    }

    @Test
    void answeringAHigherOffsetDoesNotMakeItDirty() {
        take(0, 1, 2);
        offsets.markCommitted(offsets.committable());
        offsets.answered(2);
        assertFalse(offsets.dirty(), "the committable offset is still 0");
    }

    @Test
    void takingMoreWhilePendingDoesNotMakeItDirty() {
        take(0);
        offsets.markCommitted(0);
        take(1, 2);
        assertFalse(offsets.dirty());
    }

    @Test
    void markingAnOlderCommitLeavesItDirty() {
        take(0, 1);
        offsets.answered(0);
        offsets.answered(1);
        offsets.markCommitted(1);
        assertTrue(offsets.dirty(), "committable is 2");
    }

    @Test
    void aFailedCommitMakesItDirtyAgain() {
        take(0, 1);
        offsets.answered(0);
        offsets.answered(1);
        offsets.markCommitted(2);
        assertFalse(offsets.dirty());
        offsets.commitFailed(2);
        assertTrue(offsets.dirty(), "offset 2 was never committed: commit it again");
        assertEquals(2, offsets.committable());
    }

    @Test
    void aFailedOlderCommitDoesNotUndoALaterOne() {
        take(0, 1);
        offsets.answered(0);
        offsets.markCommitted(1);
        offsets.answered(1);
        offsets.markCommitted(2);
        offsets.commitFailed(1); // the earlier async commit's callback arrives after the later commit was sent
        assertFalse(offsets.dirty());
    }
}
