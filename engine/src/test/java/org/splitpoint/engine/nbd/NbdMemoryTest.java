package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * The server's buffer memory is bounded per connection and in total, every request is answered
 * (ENOMEM when memory does not come), and the memory is given back once clients are gone
 * (issue 14, item 6).
 */
class NbdMemoryTest {

    private static final int VOLUME = 64 << 20;

    @TempDir
    Path dir;
    Pool pool;
    NbdServer server;
    final NbdLoad.Log log = new NbdLoad.Log();

    private void start(NbdLimits limits) throws Exception {
        Pool.create(dir, 4, VOLUME, 65536, StorageFactory.real());
        pool = Pool.open(dir);
        pool.admin().createVolume("big", Layout.RAID1, List.of("d1", "d2"), 0);
        pool.admin().createVolume("quiet", Layout.RAID1, List.of("d3", "d4"), 0);
        server = NbdServer.tcp("127.0.0.1", 0, new PoolExports(pool), log, limits);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /**
     * Four clients pipeline 32 MiB writes (8 each sent ahead) to an export slower than the network
     * (so payloads would pile up in the server) on a server allowed 64 MiB; the direct memory in
     * use stays within that budget (plus the idle buffers kept), a fifth client's reads of a
     * volume are answered meanwhile, every write is answered (done, or ENOMEM), and once the
     * clients have gone the memory is back near where it started, without waiting for a garbage
     * collection. Before, each connection read every payload into a buffer of its own before taking
     * a slot, so memory grew with what the clients sent ahead, and stayed.
     */
    @Test
    @Timeout(90)
    void pipelinedLargeWritesStayWithinTheBudgetAndTheMemoryComesBack() throws Exception {
        long budget = 64L << 20;
        Pool.create(dir, 4, VOLUME, 65536, StorageFactory.real());
        pool = Pool.open(dir);
        pool.admin().createVolume("quiet", Layout.RAID1, List.of("d3", "d4"), 0);
        PoolExports volumes = new PoolExports(pool);
        Export slow = new Export("big", new SlowDevice(VOLUME, 30), false, "writes take 30 ms per MiB");
        server = NbdServer.tcp("127.0.0.1", 0, new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(slow, volumes.find("quiet"));
            }

            @Override
            public Export find(String name) {
                return name.equals("big") ? slow : volumes.find(name);
            }
        }, log, NbdLimits.DEFAULT.withMemory(budget, 32L << 20, Duration.ofSeconds(10)));
        server.freeIdleBuffersAfter(Duration.ofSeconds(3)); // a minute by default (BufferPool.trim)
        System.gc();
        Thread.sleep(200);
        long baseline = NbdLoad.directUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(NbdLoad.directUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        List<NbdLoad.Stream> writers = new ArrayList<>();
        long[] probe;
        try (NbdTestClient reader = new NbdTestClient(server.port())) {
            reader.go("quiet", Nbd.OPT_GO);
            for (int i = 0; i < 4; i++) {
                writers.add(new NbdLoad.Stream(server.port(), "big", Nbd.CMD_WRITE, Nbd.MAX_REQUEST, 8, VOLUME, 6));
            }
            probe = NbdLoad.probe(reader, 100, VOLUME, 20_000);
            for (NbdLoad.Stream w : writers) {
                assertThat(w.awaitAnswered(6, 60_000)).as("every write is answered").isTrue();
                assertThat(w.failure()).isNull();
                assertThat(w.errors.keySet()).as("errors other than ENOMEM").isSubsetOf(Nbd.ENOMEM);
            }
        } finally {
            for (NbdLoad.Stream w : writers) {
                w.close();
            }
            sampler.interrupt();
            sampler.join();
        }
        long answeredOk = writers.stream().mapToLong(w -> w.answered.get() - w.errors.values().stream()
                .mapToLong(AtomicLong::get).sum()).sum();
        double slowest = NbdLoad.quantileMillis(probe, 1.0);
        System.out.printf("memory: baseline %d MiB, peak %d MiB over it (budget %d MiB), %d of 24 writes done,"
                        + " slowest 4 KiB read %.1f ms; load %s%n", baseline >> 20, (peak.get() - baseline) >> 20, budget >> 20,
                answeredOk, slowest, java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
        assertThat(answeredOk).as("writes done (the others got ENOMEM)").isPositive();
        assertThat(slowest).as("the other client's slowest read, ms").isLessThan(5000);
        assertThat(peak.get() - baseline).as("direct memory over the baseline at the peak")
                .isLessThanOrEqualTo(budget + (16L << 20) + (8L << 20));
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until && (!server.clients().isEmpty() || NbdLoad.directUsed() > baseline + (4 << 20))) {
            Thread.sleep(50);
        }
        System.out.printf("memory: %d KiB over the baseline after the clients left%n", (NbdLoad.directUsed() - baseline) >> 10);
        assertThat(server.clients()).isEmpty();
        assertThat(NbdLoad.directUsed() - baseline).as("direct memory over the baseline after the clients left")
                .isLessThanOrEqualTo(4 << 20);
        assertThat(server.memory().used()).as("buffer bytes still granted").isZero();
    }

    /**
     * When the memory stays taken (two clients hold the whole budget with replies they do not read),
     * a third client's read is answered ENOMEM after the wait, the episode is logged once, and the
     * connection stays usable once memory is free again.
     */
    @Test
    @Timeout(60)
    void aRequestThatGetsNoMemoryIsAnsweredEnomem() throws Exception {
        // 3 MiB: the hogs' 2 MiB of 1 MiB reads, and a quarter kept for connections holding little
        start(NbdLimits.DEFAULT.withPieceBytes(1 << 20).withMemory(3 << 20, 1 << 20, Duration.ofMillis(300)));
        try (NbdTestClient a = new NbdTestClient(server.port());
             NbdTestClient b = new NbdTestClient(server.port());
             NbdTestClient c = new NbdTestClient(server.port())) {
            for (NbdTestClient hog : List.of(a, b)) {
                hog.go("big", Nbd.OPT_GO);
                // 64 MiB of replies, more than socket buffers hold: each connection keeps its share
                for (int h = 0; h < 64; h++) {
                    hog.request(Nbd.CMD_READ, 0, h, 0, 1 << 20, null);
                }
            }
            c.go("quiet", Nbd.OPT_GO);
            long until = System.nanoTime() + 20_000_000_000L;
            long fullSince = 0;
            while (System.nanoTime() < until) { // all but the reserve held, and for a while
                if (server.memory().used() < (2 << 20)) {
                    fullSince = 0;
                } else if (fullSince == 0) {
                    fullSince = System.nanoTime();
                } else if (System.nanoTime() - fullSince > 300_000_000L) {
                    break;
                }
                Thread.sleep(5);
            }
            assertThat(server.memory().used()).as("the two clients hold all but the reserve").isEqualTo(2 << 20);
            long t0 = System.nanoTime();
            c.request(Nbd.CMD_READ, 0, 1, 0, 1 << 20, null); // more than a quiet connection holds: no reserve
            NbdTestClient.Reply r = c.reply(h -> 1 << 20);
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.error()).as("answered ENOMEM after %d ms", waited).isEqualTo(Nbd.ENOMEM);
            assertThat(waited).isBetween(250L, 5000L);
            c.request(Nbd.CMD_READ, 0, 2, 0, 1 << 20, null);
            assertThat(c.reply(h -> 1 << 20).error()).isEqualTo(Nbd.ENOMEM);
            assertThat(log.matching("answered ENOMEM")).as(log.toString()).hasSize(1);
            long t1 = System.nanoTime();
            c.request(Nbd.CMD_READ, 0, 4, 0, 4096, null); // a small one: the reserve, at once
            assertThat(c.reply(h -> 4096).error()).isZero();
            assertThat((System.nanoTime() - t1) / 1_000_000).as("ms").isLessThan(250L);
            for (int h = 0; h < 64; h++) { // the hogs read their replies: memory is free again
                assertThat(a.reply(x -> 1 << 20).error()).isZero();
                assertThat(b.reply(x -> 1 << 20).error()).isZero();
            }
            long usedNow = server.memory().used();
            c.request(Nbd.CMD_READ, 0, 3, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).as("used %d before, %d after; %s", usedNow, server.memory().used(), log).isZero();
        }
    }

    /**
     * Five clients of one export pipelined 2 MiB reads and never read the replies: they held the
     * whole budget until they were cut for stalling, a minute later, and meanwhile every 64 KiB write
     * of a client of another export waited the memory wait and was answered ENOMEM (h133, with
     * {@code splitpoint serve}'s limits). A quarter of the memory is kept for connections holding
     * little: the quiet client's writes are answered at once, none with an error.
     */
    @Test
    @Timeout(60)
    void stuckBulkClientsDoNotStarveAQuietClientOfAnotherExport() throws Exception {
        start(NbdLimits.DEFAULT.withPieceBytes(1 << 20).withMemory(8 << 20, 2 << 20, Duration.ofSeconds(5)));
        List<NbdTestClient> stuck = new ArrayList<>();
        try (NbdTestClient quiet = new NbdTestClient(server.port())) {
            for (int c = 0; c < 5; c++) {
                NbdTestClient s = new NbdTestClient(server.port());
                stuck.add(s);
                s.ch.socket().setReceiveBufferSize(64 << 10);
                s.go("big", Nbd.OPT_GO);
                for (int h = 0; h < 32; h++) {
                    s.request(Nbd.CMD_READ, 0, h, (long) h * (2 << 20) % (VOLUME - (2 << 20)), 2 << 20, null);
                }
            }
            long until = System.nanoTime() + 20_000_000_000L;
            while (server.memory().used() < (6 << 20) && System.nanoTime() < until) {
                Thread.sleep(5); // the stuck clients hold all the bulk may
            }
            assertThat(server.memory().used()).as("held by the stuck clients").isGreaterThanOrEqualTo(6 << 20);
            quiet.go("quiet", Nbd.OPT_GO);
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                quiet.request(Nbd.CMD_WRITE, 0, i, (long) i * 65536, 65536, NbdLoad.pattern(65536));
                assertThat(quiet.reply(h -> 0).error()).as("write %d", i).isZero();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("20 writes of 64 KiB beside the stuck clients, in ms").isLessThan(4000L);
        } finally {
            for (NbdTestClient s : stuck) {
                s.close();
            }
        }
    }

    /**
     * A client that sent a write's header and then none of its payload held the buffer memory granted for the
     * payload for as long as it stayed connected: eight such clients of {@code splitpoint serve} (32 MiB each) held
     * its 256 MiB, and every request of every other client, of any export, was answered ENOMEM after the memory
     * wait. Now a client the server waits on for a payload that does not come is disconnected after the payload
     * stall, its memory goes back, and the request that waited for it runs.
     */
    @Test
    @Timeout(60)
    void aClientThatStopsSendingAWritesPayloadIsDisconnectedAndItsMemoryGoesBack() throws Exception {
        start(NbdLimits.DEFAULT.withPieceBytes(1 << 20).withMemory(2 << 20, 2 << 20, Duration.ofSeconds(3))
                .withPayloadStall(Duration.ofMillis(300)));
        try (NbdTestClient a = new NbdTestClient(server.port());
             NbdTestClient c = new NbdTestClient(server.port())) {
            a.go("big", Nbd.OPT_GO);
            a.request(Nbd.CMD_WRITE, 0, 1, 0, 2 << 20, new byte[] {7}); // 1 byte of 2 MiB, then nothing
            long until = System.nanoTime() + 10_000_000_000L;
            while (server.memory().used() < (2 << 20) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            c.go("quiet", Nbd.OPT_GO);
            long t0 = System.nanoTime();
            c.request(Nbd.CMD_READ, 0, 1, 0, 4096, null);
            NbdTestClient.Reply r = c.reply(h -> 4096);
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.error()).as("answered after %d ms; %s", waited, log).isZero();
            assertThat(log.matching("sent no more of a write's payload")).as(log.toString()).hasSize(1);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> a.reply(h -> 0)))
                    .as("the stalled client is disconnected, its write unanswered (never done)")
                    .isInstanceOf(java.io.IOException.class);
            assertThat(pool.device("big").size()).isPositive();
            byte[] first = new byte[1];
            pool.device("big").read(0, ByteBuffer.wrap(first));
            assertThat(first[0]).as("nothing of the cut write was written").isZero();
        }
    }

    /**
     * A client that trickles a write's payload, a byte every 100 ms, never leaves the server waiting in
     * one read for the payload stall (300 ms here), and held the memory granted for the payload as long
     * as it went on: eight such clients of serve held its 256 MiB and every other client's 4 KiB read was
     * answered ENOMEM. Now, past the stall into the payload, a client that sends less than
     * {@link NbdLimits#PAYLOAD_MIN_RATE} a second on average is disconnected, and the request that waited
     * for its memory runs.
     */
    @Test
    @Timeout(60)
    void aClientThatTricklesAWritesPayloadIsDisconnectedAndItsMemoryGoesBack() throws Exception {
        start(NbdLimits.DEFAULT.withPieceBytes(1 << 20).withMemory(2 << 20, 2 << 20, Duration.ofSeconds(3))
                .withPayloadStall(Duration.ofMillis(300)));
        try (NbdTestClient a = new NbdTestClient(server.port());
             NbdTestClient c = new NbdTestClient(server.port())) {
            a.go("big", Nbd.OPT_GO);
            a.request(Nbd.CMD_WRITE, 0, 1, 0, 2 << 20, new byte[] {7}); // 1 byte of 2 MiB, then a byte every 100 ms
            Thread trickle = new Thread(() -> {
                try {
                    while (true) {
                        Thread.sleep(100);
                        a.write(ByteBuffer.wrap(new byte[] {7}));
                    }
                } catch (java.io.IOException | InterruptedException cut) {
                    // disconnected (or the test is over)
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            try {
                long until = System.nanoTime() + 10_000_000_000L;
                while (server.memory().used() < (2 << 20) && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                c.go("quiet", Nbd.OPT_GO);
                long t0 = System.nanoTime();
                c.request(Nbd.CMD_READ, 0, 1, 0, 4096, null);
                NbdTestClient.Reply r = c.reply(h -> 4096);
                long waited = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.error()).as("answered after %d ms; %s", waited, log).isZero();
                assertThat(log.matching("bytes of a write's payload in")).as(log.toString()).hasSize(1)
                        .allMatch(l -> l.contains("disconnecting it (the write is not done)"));
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> a.reply(h -> 0)))
                        .as("the trickling client is disconnected, its write unanswered (never done)")
                        .isInstanceOf(java.io.IOException.class);
            } finally {
                trickle.interrupt();
            }
            byte[] first = new byte[1];
            pool.device("big").read(0, ByteBuffer.wrap(first));
            assertThat(first[0]).as("nothing of the cut write was written").isZero();
        }
    }

    /** A device whose writes take {@code millisPerMiB} per MiB and keep nothing (reads give zeros). */
    private record SlowDevice(long size, long millisPerMiB) implements org.splitpoint.engine.io.BlockDevice {

        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.position(dst.limit());
        }

        @Override
        public void write(long offset, ByteBuffer src) throws java.io.IOException {
            try {
                Thread.sleep(Math.max(1, src.remaining() * millisPerMiB >> 20));
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            src.position(src.limit());
        }

        @Override
        public void flush() {
        }
    }
}
