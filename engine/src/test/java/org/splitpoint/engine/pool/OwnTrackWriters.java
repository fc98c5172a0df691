package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.splitpoint.engine.io.BlockDevice;

/**
 * The host load of the tests where a side feature fails under host I/O (a backup store, the
 * changed-block map, a BCV, a delta log): {@link #WRITERS} writers on their own threads, each
 * writing unaligned pieces within its own tracks (t % WRITERS), and a flusher, all keeping a model
 * of the bytes; {@link #finish} says whether any write or flush failed.
 */
final class OwnTrackWriters {

    static final int WRITERS = 3;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private final List<Thread> writers = new ArrayList<>();
    private final Thread flusher;

    /** Starts the writers ({@code writes} each, or until {@link #stop}) and the flusher on {@code dev}. */
    OwnTrackWriters(BlockDevice dev, byte[] model, int trackSize, int writes, long seed) {
        int tracks = model.length / trackSize;
        for (int w = 0; w < WRITERS; w++) {
            int mine = w;
            Random rnd = new Random(seed * 31L + w);
            writers.add(StuckThreads.start("host-" + w, () -> {
                for (int i = 0; i < writes && !stop.get(); i++) {
                    int t = rnd.nextInt(tracks / WRITERS) * WRITERS + mine;
                    int at = rnd.nextInt(trackSize);
                    byte[] b = new byte[1 + rnd.nextInt(trackSize - at)]; // within track t: this writer's alone
                    rnd.nextBytes(b);
                    long off = (long) t * trackSize + at;
                    dev.write(off, ByteBuffer.wrap(b));
                    synchronized (model) {
                        System.arraycopy(b, 0, model, (int) off, b.length);
                    }
                }
            }, failed));
        }
        flusher = StuckThreads.start("flusher", () -> {
            while (!stop.get()) {
                dev.flush();
                Thread.sleep(1);
            }
        }, failed);
    }

    /** Ends the writers' loops early. */
    void stop() {
        stop.set(true);
    }

    /** Waits for the writers (30 s each at most), stops the flusher, and fails if a write or flush failed. */
    void finish(String as) throws InterruptedException {
        for (Thread t : writers) {
            t.join(30_000);
            assertThat(t.isAlive()).as("%s: %s returned", as, t.getName()).isFalse();
        }
        stop.set(true);
        flusher.join(30_000);
        assertThat(flusher.isAlive()).as("%s: the flusher returned", as).isFalse();
        assertThat(failed.get()).as("%s: a host write or flush", as).isNull();
    }
}
