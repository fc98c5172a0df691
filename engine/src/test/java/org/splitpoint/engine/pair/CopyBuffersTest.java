package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The copy's buffers: short runs (an incremental copy's scattered tracks) get page-aligned direct
 * buffers, which the target's files write around the page cache; whole runs do not need to; both
 * are reused, and a stash keeps no more than it is sized for.
 */
class CopyBuffersTest {

    private final CopyBuffers shortRuns = new CopyBuffers(true, 32);
    private final CopyBuffers wholeRuns = new CopyBuffers(false, 8);

    @Test
    void theCopiesShortRunsGetPageAlignedBuffers() {
        ByteBuffer b = CopyBuffers.SHORT_RUNS.take(65536);
        assertThat(b.isDirect()).isTrue();
        assertThat(b.alignmentOffset(0, 4096)).isZero();
        CopyBuffers.SHORT_RUNS.give(b);
    }

    @Test
    void shortRunBuffersArePageAlignedAndReused() {
        ByteBuffer a = shortRuns.take(65536);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.alignmentOffset(0, 4096)).isZero();
        assertThat(a.remaining()).isEqualTo(65536);
        shortRuns.give(a);
        ByteBuffer b = shortRuns.take(4096);
        assertThat(b).isSameAs(a);
        assertThat(b.remaining()).isEqualTo(4096);
        shortRuns.give(b);
    }

    @Test
    void aTooSmallIdleBufferIsReplacedByOneLargeEnough() {
        ByteBuffer small = wholeRuns.take(4096);
        wholeRuns.give(small);
        ByteBuffer large = wholeRuns.take(1 << 20);
        assertThat(large).isNotSameAs(small);
        assertThat(large.remaining()).isEqualTo(1 << 20);
        wholeRuns.give(large);
    }

    @Test
    void theStashKeepsNoMoreThanItsRunsAtOnce() {
        ByteBuffer[] many = new ByteBuffer[40];
        for (int i = 0; i < many.length; i++) {
            many[i] = shortRuns.take(4096);
        }
        for (ByteBuffer b : many) {
            shortRuns.give(b);
        }
        assertThat(shortRuns.idle()).isEqualTo(32);
    }
}
