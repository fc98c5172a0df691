package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The shared direct buffers: aligned when asked (writes around the page cache), reused, a too
 * small idle one replaced, and no more kept idle than the stash's bound, however many were out.
 */
class BufferStashTest {

    private final BufferStash aligned = new BufferStash(true, 32 * 4096);
    private final BufferStash plain = new BufferStash(false, 8L << 20);

    @Test
    void alignedBuffersStartOnAPageAndAreReused() {
        ByteBuffer a = aligned.take(65536);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.alignmentOffset(0, 4096)).isZero();
        assertThat(a.remaining()).isEqualTo(65536);
        aligned.give(a);
        ByteBuffer b = aligned.take(4096);
        assertThat(b).isSameAs(a);
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(4096);
        aligned.give(b);
    }

    @Test
    void aTooSmallIdleBufferIsReplacedByOneLargeEnough() {
        ByteBuffer small = plain.take(4096);
        plain.give(small);
        ByteBuffer large = plain.take(1 << 20);
        assertThat(large).isNotSameAs(small);
        assertThat(large.remaining()).isEqualTo(1 << 20);
        plain.give(large);
        assertThat(plain.idleBytes()).isEqualTo(1 << 20); // the small one was dropped, not kept beside it
    }

    @Test
    void theStashKeepsNoMoreIdleBytesThanItsBound() {
        ByteBuffer[] many = new ByteBuffer[40];
        for (int i = 0; i < many.length; i++) {
            many[i] = aligned.take(4096);
        }
        for (ByteBuffer b : many) {
            aligned.give(b);
        }
        assertThat(aligned.idleBytes()).isEqualTo(32 * 4096);
        for (int i = 0; i < 32; i++) {
            aligned.take(4096);
        }
        assertThat(aligned.idleBytes()).isZero();
    }

    @Test
    void aBufferIsNeverLentToTwoThreadsAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> bad = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] ts = new Thread[8];
        for (int i = 0; i < ts.length; i++) {
            long id = i + 1;
            ts[i] = new Thread(() -> {
                for (int k = 0; k < 20_000 && bad.get() == null; k++) {
                    ByteBuffer b = plain.take(4096);
                    b.putLong(0, id * 1_000_000 + k); // another holder would overwrite this meanwhile
                    Thread.yield();
                    if (b.getLong(0) != id * 1_000_000 + k) {
                        bad.compareAndSet(null, "thread " + id + " found another thread's mark in its buffer");
                    }
                    plain.give(b);
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(bad.get()).isNull();
        assertThat(plain.idleBytes()).isLessThanOrEqualTo(8L << 20);
    }

    /**
     * A stash's other buffers start on a cache line: the kernel's copy into one that starts where
     * malloc put it (16 bytes into a page) took 1.8x as long on this machine. Never on a page, even
     * where the JVM starts every direct buffer on one (the launcher's): that asks for writes around
     * the page cache.
     */
    @Test
    void plainBuffersStartOnACacheLine() {
        BufferStash plain = new BufferStash(false, 64L << 20);
        for (int len : new int[] {512, 4096, 65536, 192 << 10, 1 << 20, 4 << 20}) {
            ByteBuffer b = plain.take(len);
            assertThat(b.alignmentOffset(0, BufferStash.LINE)).as("%d bytes: bytes past a cache line", len).isZero();
            assertThat(BufferStash.pageAligned(b)).as("%d bytes: on a page (a write from it would go around the page cache)", len).isFalse();
            assertThat(b.remaining()).isEqualTo(len);
        }
    }
}
