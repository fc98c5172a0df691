package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.io.BlockDevice;

/**
 * The per-byte costs of the data path (issue 14, bench/notes/nbd-profile-2026-12-03.txt): a busy
 * server allocates no buffers in its steady state, and a zeroing the device does fast runs as a few
 * large pieces rather than one per MiB.
 */
class NbdDataPathTest {

    private static final long SIZE = 128L << 20;
    private NbdServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private NbdServer serve(BlockDevice device) throws Exception {
        Export e = new Export("dev", device, false, "test device");
        server = NbdServer.tcp("127.0.0.1", 0, new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(e);
            }

            @Override
            public Export find(String name) {
                return name.equals("dev") || name.isEmpty() ? e : null;
            }
        }, m -> { });
        return server;
    }

    /**
     * What nbdcopy keeps in flight (2 connections x 64 requests of 256 KiB = 32 MiB) is kept for
     * reuse once given back, and taken again without a new allocation. Before, the server kept 16
     * MiB idle, so every other request freed and allocated a direct buffer again.
     */
    @Test
    void buffersOfWhatAClientKeepsInFlightAreReused() throws Exception {
        BufferPool pool = serve(new Zeros(SIZE, List.of(), false)).buffers();
        List<ByteBuffer> first = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            first.add(pool.take(256 << 10));
        }
        first.forEach(pool::give);
        assertThat(pool.kept()).isEqualTo(32L << 20);
        Set<ByteBuffer> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(first);
        for (int i = 0; i < 128; i++) {
            assertThat(before).as("buffer %d taken again", i).contains(pool.take(256 << 10));
        }
    }

    /**
     * A pause of a few seconds (a client's next burst, the next run of a backup tool) keeps a
     * quarter of the server's buffer memory allocated, the most recent buffers of each size, so the
     * next burst does not fault its pages in again; a long pause frees them all. Before, every idle
     * buffer was freed after 2 s: 11,000 page faults and ~100 ms of CPU per 1 GiB nbdcopy read that
     * followed a pause (bench/notes/nbd-buffer-floor-2026-12-06.txt).
     */
    @Test
    void aShortPauseKeepsAQuarterOfTheBuffersAndALongOneFreesThemAll() throws Exception {
        BufferPool pool = serve(new Zeros(SIZE, List.of(), false)).buffers();
        List<ByteBuffer> reads = new ArrayList<>();
        List<ByteBuffer> writes = new ArrayList<>();
        for (int i = 0; i < 256; i++) { // 64 MiB of read buffers, 64 MiB of write payloads: 128 MiB
            reads.add(pool.take(256 << 10));
            writes.add(pool.take(256 << 10));
        }
        reads.forEach(pool::give);
        writes.forEach(pool::give);
        assertThat(pool.kept()).isEqualTo(128L << 20);
        Thread.sleep(2_600); // past the short pause: the server's watch trims every 250 ms
        assertThat(pool.kept()).as("kept through a short pause").isEqualTo(64L << 20);
        Set<ByteBuffer> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(reads);
        before.addAll(writes);
        List<ByteBuffer> again = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            ByteBuffer r = pool.take(256 << 10);
            ByteBuffer w = pool.take(256 << 10);
            assertThat(before).as("read buffer %d kept", i).contains(r);
            assertThat(before).as("write buffer %d kept", i).contains(w);
            again.add(r);
            again.add(w);
        }
        again.forEach(pool::give);
        server.freeIdleBuffersAfter(java.time.Duration.ofSeconds(1));
        long until = System.nanoTime() + 5_000_000_000L;
        while (pool.kept() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(pool.kept()).as("kept after a long pause").isZero();
    }

    /**
     * A buffer starts on a cache line (the kernel's copy into one that does not took 1.8x as long
     * here), never on a page (a write from it stays in the page cache). Before, read buffers started
     * where malloc put them: 16 bytes into a page for 256 KiB.
     */
    @Test
    void buffersStartOnACacheLineAndNotOnAPage() {
        try (BufferPool pool = new BufferPool(64L << 20)) {
            for (int length : new int[] {4096, 65536, 256 << 10, 1 << 20}) {
                for (int i = 0; i < 4; i++) {
                    ByteBuffer r = pool.take(length);
                    assertThat(r.alignmentOffset(0, 64)).as("buffer of %d bytes: bytes past a cache line", length).isZero();
                    assertThat(r.alignmentOffset(0, 4096)).as("buffer of %d bytes: not on a page", length).isEqualTo(64);
                    pool.give(r);
                    assertThat(pool.take(length)).as("the buffer is taken again").isSameAs(r);
                }
            }
        }
    }

    /** Buffers lent and kept together stay within the server's buffer memory. */
    @Test
    void idleBuffersKeptStayWithinTheBudget() {
        BufferPool pool = new BufferPool(8L << 20);
        List<ByteBuffer> lent = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            lent.add(pool.take(256 << 10)); // 12 MiB: a lone large request may exceed the budget
        }
        lent.forEach(pool::give);
        assertThat(pool.kept()).isEqualTo(8L << 20);
        pool.close();
    }

    /**
     * A 64 MiB WRITE_ZEROES the device zeroes fast reaches it as two zeroings of 32 MiB (before: 64
     * of 1 MiB, each a write-intent update and a fallocate per member); one it cannot zero fast
     * keeps pieces of 1 MiB, so that writing zeros holds no worker long.
     */
    @Test
    void aFastZeroingRunsAsFewLargePiecesAndASlowOneAsSmallOnes() throws Exception {
        for (boolean fast : new boolean[] {true, false}) {
            List<Long> calls = Collections.synchronizedList(new ArrayList<>());
            serve(new Zeros(SIZE, calls, fast));
            try (NbdTestClient c = new NbdTestClient(server.port())) {
                c.go("dev", Nbd.OPT_GO);
                c.request(Nbd.CMD_WRITE_ZEROES, 0, 1, 0, 64 << 20, null);
                assertThat(c.reply(h -> 0).error()).isZero();
            }
            if (fast) {
                assertThat(calls).containsExactly(32L << 20, 32L << 20);
            } else {
                assertThat(calls).hasSize(64).containsOnly(1L << 20);
            }
            server.close();
            server = null;
        }
    }

    /** A device that reads zeros, records the lengths it is asked to zero, and zeroes fast or not. */
    private record Zeros(long size, List<Long> zeroings, boolean fast) implements BlockDevice {

        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.position(dst.limit());
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            src.position(src.limit());
        }

        @Override
        public void writeZeroes(long offset, long length, boolean mayUnmap) {
            zeroings.add(length);
        }

        @Override
        public boolean zeroesFast(long offset, long length, boolean mayUnmap) {
            return fast;
        }

        @Override
        public void flush() {
        }
    }
}
