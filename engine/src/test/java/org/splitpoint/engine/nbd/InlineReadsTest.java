package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.splitpoint.engine.io.BlockDevice;

/**
 * Reads served on a connection's own thread while they come back fast, on the shared workers once
 * one waited (see {@link InlineReads}).
 */
class InlineReadsTest {

    private static final int SIZE = 1 << 20;

    @Test
    void readsRunOnTheReaderOnlyAfterAStreakOfFastOnesAndLeaveItAtTheFirstSlowOne() {
        InlineReads r = new InlineReads();
        assertThat(r.mayRunHere()).as("a new connection's first read").isFalse();
        for (int i = 0; i < InlineReads.STREAK - 1; i++) {
            r.served(256 << 10, 20_000);
        }
        assertThat(r.mayRunHere()).as("one fast read short of the streak").isFalse();
        r.served(256 << 10, 20_000);
        assertThat(r.mayRunHere()).isTrue();
        assertThat(r.mayStayHere()).isTrue();
        r.served(4096, 2_000_000); // 2 ms: the disk
        assertThat(r.mayRunHere()).as("right after a read that waited").isFalse();
        assertThat(r.mayStayHere()).as("a read queued on the writer behind one that waited").isFalse();
        r.served(4096, 20_000);
        assertThat(r.mayRunHere()).as("one fast read after it: a new read still goes to the workers").isFalse();
        assertThat(r.mayStayHere()).as("one fast read after it: the queued ones stay on the writer").isTrue();
    }

    @Test
    void theBudgetGrowsWithTheLength() {
        assertThat(InlineReads.budgetNanos(4096)).isBetween(50_000L, 53_000L);
        assertThat(InlineReads.budgetNanos(256 << 10)).isEqualTo(50_000L + 125_000L);
        assertThat(InlineReads.budgetNanos(1 << 20)).isEqualTo(550_000L);
    }

    /** A memory device whose reads of {@link #held} wait for {@link #release}, and which notes who read. */
    private static final class HoldingDevice implements BlockDevice {
        final byte[] bytes = new byte[SIZE];
        final Set<String> readers = ConcurrentHashMap.newKeySet();
        /** Each read's thread and buffer ("thread#identity"), in the order they ran. */
        final java.util.Queue<String> served = new java.util.concurrent.ConcurrentLinkedQueue<>();
        volatile long held = -1;
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch release = new CountDownLatch(0);
        /** The held read fails once released (as a fetch from a backup store that went away). */
        volatile boolean heldFails;

        HoldingDevice() {
            for (int i = 0; i < SIZE; i++) {
                bytes[i] = (byte) (i * 31 + (i >> 12));
            }
        }

        @Override
        public long size() {
            return SIZE;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            readers.add(Thread.currentThread().getName());
            served.add(Thread.currentThread().getName() + "#" + System.identityHashCode(dst));
            if (offset == held) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                if (heldFails) {
                    throw new IOException("the backup store cannot be read now");
                }
            }
            dst.put(bytes, (int) offset, dst.remaining());
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            src.get(bytes, (int) offset, src.remaining());
        }

        @Override
        public void flush() {
        }
    }

    private static ExportCatalog one(BlockDevice d) {
        return new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(find("v"));
            }

            @Override
            public Export find(String name) {
                return name.equals("v") ? new Export("v", d, false, "test") : null;
            }
        };
    }

    private static boolean worker(String threadName) {
        return threadName.startsWith("splitpoint-nbd-worker-");
    }

    private static void readOk(NbdTestClient c, long handle, HoldingDevice d, int offset) throws IOException {
        NbdTestClient.Reply r = c.reply(h -> 4096);
        assertThat(r.error()).isZero();
        assertThat(r.handle()).isEqualTo(handle);
        byte[] want = new byte[4096];
        System.arraycopy(d.bytes, offset, want, 0, 4096);
        assertThat(r.data()).isEqualTo(want);
    }

    /**
     * Fast reads end up served by the connection's own thread (no worker woken); a read that waited
     * sends the next ones to the workers, so a second slow read does not hold up the client's
     * request behind it.
     */
    @Test
    @Timeout(30)
    void afterASlowReadTheNextSlowOneDoesNotHoldTheRequestsBehindIt() throws Exception {
        HoldingDevice d = new HoldingDevice();
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, one(d), m -> { });
             NbdTestClient c = new NbdTestClient(s.port(), Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) {
            c.go("v", Nbd.OPT_GO);
            long h = streakOfFastReads(c, d);

            // a read that waits (as for the disk): served inline after the streak, it holds the reader
            d.held = 64 * 4096;
            d.release = new CountDownLatch(1);
            c.request(Nbd.CMD_READ, 0, h, d.held, 4096, null);
            assertThat(d.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1); // it took longer than a read from memory may
            d.release.countDown();
            readOk(c, h, d, 64 * 4096);
            h++;

            // the next slow read goes to a worker: the read sent after it is answered while it waits
            d.entered = new CountDownLatch(1);
            d.release = new CountDownLatch(1);
            c.request(Nbd.CMD_READ, 0, h, d.held, 4096, null);
            assertThat(d.entered.await(10, TimeUnit.SECONDS)).isTrue();
            c.request(Nbd.CMD_READ, 0, h + 1, 8192, 4096, null);
            readOk(c, h + 1, d, 8192);
            d.release.countDown();
            readOk(c, h, d, 64 * 4096);
        }
    }

    /**
     * A read that waited sends the reads already queued behind it to the workers too, not only the
     * ones the client sends later: a client keeps many reads in flight (nbdcopy 64, up to 128 are
     * taken), all queued on the reply writer while the reads came back fast, and each that waits for
     * the disk there holds up every reply behind it. So the second slow read of three pipelined ones
     * must not hold up the third.
     */
    @Test
    @Timeout(30)
    void aSlowReadSendsTheReadsQueuedBehindItToTheWorkers() throws Exception {
        HoldingDevice d = new HoldingDevice();
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, one(d), m -> { });
             NbdTestClient c = new NbdTestClient(s.port(), Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) {
            c.go("v", Nbd.OPT_GO);
            long h = streakOfFastReads(c, d);

            // three reads at once, taken while the reads came back fast: two that wait, one from memory
            d.held = 64 * 4096;
            d.release = new CountDownLatch(1);
            c.request(Nbd.CMD_READ, 0, h, d.held, 4096, null);
            c.request(Nbd.CMD_READ, 0, h + 1, d.held, 4096, null);
            c.request(Nbd.CMD_READ, 0, h + 2, 8192, 4096, null);
            assertThat(d.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // the reader takes the two behind it meanwhile; and it took longer than a read from memory may
            CountDownLatch first = d.release;
            d.entered = new CountDownLatch(1);
            d.release = new CountDownLatch(1);
            first.countDown();
            readOk(c, h, d, 64 * 4096);

            assertThat(d.entered.await(10, TimeUnit.SECONDS)).as("the second slow read started").isTrue();
            long behind = h + 2;
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try {
                    readOk(c, behind, d, 8192);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                answered.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException stuck) {
                throw new AssertionError("the read from memory waited for the slow read queued before it: "
                        + d.served.stream().skip(Math.max(0, d.served.size() - 3)).toList());
            } finally {
                d.release.countDown();
            }
            readOk(c, h + 1, d, 64 * 4096);
        }
    }

    /**
     * Reads from memory are run by the connection's reply writer, each into a buffer taken when it
     * runs: with 64 reads in flight they share one or two buffers, which are still in the CPU's
     * cache when the reply is written. Before, the connection's reader ran them at admission into
     * buffers taken then, one per request in flight, and the writer sent each one later, cold.
     */
    @Test
    @Timeout(30)
    void readsFromMemoryRunOnTheReplyWriterIntoABufferTakenWhenTheyRun() throws Exception {
        HoldingDevice d = new HoldingDevice();
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, one(d), m -> { });
             NbdTestClient c = new NbdTestClient(s.port(), Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) {
            c.go("v", Nbd.OPT_GO);
            long h = streakOfFastReads(c, d);
            d.served.clear();
            int inFlight = 64;
            readsInFlight(c, d, h, inFlight);
            List<String> onWriter = d.served.stream().filter(x -> x.startsWith("splitpoint-nbd-out-")).toList();
            long onWorkers = d.served.stream().filter(x -> worker(x)).count();
            assertThat(onWriter.size() + onWorkers).as("every read ran on the writer or a worker: " + d.served)
                    .isEqualTo(inFlight);
            assertThat(onWriter).as("reads from memory ran on the reply writer").isNotEmpty();
            // a read that came back slowly on a loaded machine sends a few to the workers, whose
            // buffers then join the pool's turn: one more buffer each at most
            assertThat(onWriter.stream().map(x -> x.substring(x.indexOf('#'))).distinct().count())
                    .as("buffers the writer's reads used").isLessThanOrEqualTo(1 + onWorkers);
        }
    }

    /**
     * Sends {@code count} reads of 4 KiB (handles from {@code first}) before reading any reply, then
     * checks each reply's bytes, in whatever order they come.
     */
    private static void readsInFlight(NbdTestClient c, HoldingDevice d, long first, int count) throws IOException {
        java.util.Map<Long, Integer> offsets = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            offsets.put(first + i, (i % 200) * 4096);
            c.request(Nbd.CMD_READ, 0, first + i, (i % 200) * 4096L, 4096, null);
        }
        for (int i = 0; i < count; i++) {
            NbdTestClient.Reply r = c.reply(x -> 4096);
            assertThat(r.error()).isZero();
            int offset = offsets.remove(r.handle());
            byte[] want = new byte[4096];
            System.arraycopy(d.bytes, offset, want, 0, 4096);
            assertThat(r.data()).as("read %d", r.handle()).isEqualTo(want);
        }
    }

    /**
     * Reads one at a time, each answered before the next, until the connection's own thread served
     * one; the first ones of a fresh JVM may be slow (classes loading, the JIT), so as many as it
     * takes to make a streak of fast ones. Returns the next handle.
     */
    private static long streakOfFastReads(NbdTestClient c, HoldingDevice d) throws IOException {
        long h = 1;
        for (int i = 0; i < 5000 && d.readers.stream().allMatch(InlineReadsTest::worker); i++, h++) {
            int offset = (i % 200) * 4096;
            c.request(Nbd.CMD_READ, 0, h, offset, 4096, null);
            readOk(c, h, d, offset);
        }
        assertThat(d.readers).as("who served the reads").anyMatch(InlineReadsTest::worker)
                .anyMatch(n -> !worker(n));
        assertThat(h).as("reads it took").isGreaterThan(InlineReads.STREAK);
        return h;
    }

    /**
     * A read that fails after waiting (an instant restore's fetch from a backup store that stopped
     * answering) counts as slow too: the next read that waits goes to a
     * worker, and the client's read behind it is answered meanwhile, not held behind it on the reader.
     */
    @Test
    @Timeout(30)
    void aReadThatFailsSlowlyAlsoSendsTheNextOnesToTheWorkers() throws Exception {
        HoldingDevice d = new HoldingDevice();
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, one(d), m -> { });
             NbdTestClient c = new NbdTestClient(s.port(), Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) {
            c.go("v", Nbd.OPT_GO);
            long h = streakOfFastReads(c, d);

            // a read that waits, then fails: served inline after the streak, answered EIO
            d.held = 64 * 4096;
            d.heldFails = true;
            d.release = new CountDownLatch(1);
            c.request(Nbd.CMD_READ, 0, h, d.held, 4096, null);
            assertThat(d.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1); // it took longer than a read from memory may
            d.release.countDown();
            NbdTestClient.Reply failed = c.reply(x -> 0);
            assertThat(failed.handle()).isEqualTo(h);
            assertThat(failed.error()).isEqualTo(Nbd.EIO);
            h++;

            // the next slow read goes to a worker: the read sent after it is answered while it waits
            d.heldFails = false;
            d.entered = new CountDownLatch(1);
            d.release = new CountDownLatch(1);
            c.request(Nbd.CMD_READ, 0, h, d.held, 4096, null);
            assertThat(d.entered.await(10, TimeUnit.SECONDS)).isTrue();
            c.request(Nbd.CMD_READ, 0, h + 1, 8192, 4096, null);
            long behind = h + 1;
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try {
                    readOk(c, behind, d, 8192);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                answered.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException stuck) {
                throw new AssertionError("the read behind the slow one waited for it: the slow one ran on the reader");
            } finally {
                d.release.countDown();
            }
            readOk(c, h, d, 64 * 4096);
        }
    }
}
