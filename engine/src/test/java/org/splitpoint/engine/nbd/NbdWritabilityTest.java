package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolExports;

/**
 * A client learns an export's writability in the handshake only; when it changes (a BCV's pair is
 * split or established) or the export goes away, the client's requests in flight are answered and
 * the server then closes the connection with a logged reason, so the client reconnects and
 * negotiates again (issue 14, item 4).
 */
class NbdWritabilityTest {

    @TempDir
    Path dir;
    ServedPair served;
    Pool pool;
    NbdServer server;
    NbdLoad.Log log;

    @BeforeEach
    void start() throws Exception {
        served = ServedPair.start(dir);
        pool = served.pool();
        server = served.server();
        log = served.log();
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    @Timeout(60)
    void aClientOfAnEstablishedBcvIsDisconnectedAfterASplitAndWritesAfterReconnecting() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isNotZero();
            String me = "client 127.0.0.1:" + c.ch.socket().getLocalPort();
            // requests in flight when the pair splits: answered, whole, before the end of the stream
            for (int h = 0; h < 8; h++) {
                c.request(Nbd.CMD_READ, 0, h, (long) h << 20, 1 << 20, null);
            }
            long t0 = System.nanoTime();
            pool.pairs().split(List.of("p1"));
            int answered = answeredUntilEof(c, 1 << 20, 5000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(answered).as("replies read before the end of the stream").isBetween(1, 8);
            assertThat(millis).as("disconnected after the split, ms").isLessThan(3000);
            assertThat(log.matching(me)).as(log.toString())
                    .anyMatch(l -> l.contains("on copy: the export became writable") && l.contains("BCV of pair p1 (Split)"));
            c.close(); // as a client does at the end of the stream
            awaitLine(me + " disconnected from copy after ", 3000);
            assertThat(log.matching(me + " disconnected from copy after ")).singleElement().asString()
                    .endsWith("requests: the export became writable (raid1 volume, OPTIMAL, BCV of pair p1 (Split))");
        }
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).as("writable after reconnecting").isZero();
            byte[] d = "after the split".getBytes(StandardCharsets.UTF_8);
            c.request(Nbd.CMD_WRITE, Nbd.CMD_FLAG_FUA, 1, 0, d.length, d);
            assertThat(c.reply(h -> 0).error()).isZero();
        }
        byte[] got = new byte[15];
        pool.device("copy").read(0, ByteBuffer.wrap(got));
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("after the split");
    }

    @Test
    @Timeout(60)
    void aReadWriteBcvClientIsDisconnectedAfterAnEstablishAndNoWriteSlipsThrough() throws Exception {
        pool.pairs().split(List.of("p1"));
        byte[] before = new byte[65536];
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isZero();
            String me = "client 127.0.0.1:" + c.ch.socket().getLocalPort();
            c.request(Nbd.CMD_WRITE, 0, 1, 0, 4096, new byte[4096]);
            assertThat(c.reply(h -> 0).error()).isZero();
            pool.device("prod").write(0, ByteBuffer.wrap(NbdLoad.pattern(65536)));
            pool.pairs().establish("p1", false).await(30_000);
            pool.device("copy").read(0, ByteBuffer.wrap(before));
            // a write sent now is refused or never taken, never done
            c.request(Nbd.CMD_WRITE, 0, 2, 0, 4096, new byte[4096]);
            long t0 = System.nanoTime();
            List<Integer> errors = errorsUntilEof(c, 5000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(errors).as("the write after the establish").allMatch(e -> e == Nbd.EPERM);
            assertThat(millis).as("disconnected after the establish, ms").isLessThan(3000);
            assertThat(log.matching(me)).as(log.toString())
                    .anyMatch(l -> l.contains("on copy: the export became read-only") && l.contains("BCV of pair p1"));
        }
        byte[] after = new byte[65536];
        pool.device("copy").read(0, ByteBuffer.wrap(after));
        assertThat(after).as("the BCV is as the establish left it").isEqualTo(before).isEqualTo(NbdLoad.pattern(65536));
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("copy", Nbd.OPT_GO);
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).as("read-only after reconnecting").isNotZero();
        }
    }

    @Test
    @Timeout(60)
    void anIdleClientOfASnapshotIsDisconnectedWhenTheSnapshotIsDeleted() throws Exception {
        pool.admin().createVolume("save", Layout.RAID1, List.of("d5", "d6"), 0);
        pool.snapshots().setSaveArea("save");
        pool.snapshots().create("prod", "s1");
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("prod@s1", Nbd.OPT_GO);
            assertThat(c.size).isEqualTo(8 << 20);
            String me = "client 127.0.0.1:" + c.ch.socket().getLocalPort();
            pool.snapshots().delete("prod", "s1");
            assertThat(answeredUntilEof(c, 0, 5000)).isZero();
            assertThat(log.matching(me)).as(log.toString())
                    .anyMatch(l -> l.contains("on prod@s1: the export is no longer offered"));
        }
    }

    /**
     * prod@s1 is deleted and taken again before the watch looks (held off here by the catalog's
     * gate, as one 250 ms round would miss it): the name answers again, read-only as before, so the
     * connection was kept, and every read answered EIO for as long as the client stayed, since its
     * reader belongs to the deleted snapshot. The connection is retired now (the export is another
     * one of the same name), and no read ever answers the new snapshot's bytes.
     */
    @Test
    @Timeout(60)
    void aSnapshotClientIsDisconnectedWhenTheSnapshotIsDeletedAndTakenAgainUnderTheSameName() throws Exception {
        pool.admin().createVolume("save", Layout.RAID1, List.of("d5", "d6"), 0);
        pool.snapshots().setSaveArea("save");
        pool.device("prod").write(0, ByteBuffer.wrap(filled(65536, 0x11)));
        pool.snapshots().create("prod", "s1");
        pool.device("prod").write(0, ByteBuffer.wrap(filled(65536, 0x22)));
        Object gate = new Object();
        PoolExports exports = new PoolExports(pool);
        try (NbdServer gated = NbdServer.tcp("127.0.0.1", 0, new ExportCatalog() {
            @Override
            public List<Export> list() {
                return exports.list();
            }

            @Override
            public Export find(String name) {
                synchronized (gate) {
                    return exports.find(name);
                }
            }
        }, log);
             NbdTestClient c = new NbdTestClient(gated.port())) {
            c.go("prod@s1", Nbd.OPT_GO);
            String me = "client 127.0.0.1:" + c.ch.socket().getLocalPort();
            c.request(Nbd.CMD_READ, 0, 1, 0, 65536, null);
            assertThat(c.reply(h -> 65536).data()).as("the snapshot's bytes").isEqualTo(filled(65536, 0x11));
            synchronized (gate) {
                pool.snapshots().delete("prod", "s1");
                pool.snapshots().create("prod", "s1"); // holds 0x22 at 0
                c.request(Nbd.CMD_READ, 0, 2, 0, 65536, null);
                NbdTestClient.Reply r = c.reply(h -> 0);
                assertThat(r.error()).as("a read of the deleted snapshot").isEqualTo(Nbd.EIO);
            }
            assertThat(answeredUntilEof(c, 0, 3000)).as("retired, not kept answering EIO").isZero();
            assertThat(log.matching(me)).as(log.toString())
                    .anyMatch(l -> l.contains("on prod@s1: the export is another one of the same name"));
        }
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("prod@s1", Nbd.OPT_GO);
            c.request(Nbd.CMD_READ, 0, 1, 0, 65536, null);
            assertThat(c.reply(h -> 65536).data()).as("the new snapshot, once connected again").isEqualTo(filled(65536, 0x22));
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    @Timeout(60)
    void aClientWhoseExportDidNotChangeStaysConnected() throws Exception {
        try (NbdTestClient c = new NbdTestClient(server.port())) {
            c.go("prod", Nbd.OPT_GO);
            pool.pairs().split(List.of("p1")); // prod is the STD: writable before and after
            Thread.sleep(1000);
            c.request(Nbd.CMD_WRITE, 0, 1, 0, 512, new byte[512]);
            assertThat(c.reply(h -> 0).error()).isZero();
            assertThat(server.clients()).hasSize(1);
        }
    }

    private void awaitLine(String part, long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (log.matching(part).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(log.matching(part)).as(log.toString()).isNotEmpty();
    }

    /** Reads successful replies of {@code readLength} bytes until the end of the stream; how many. */
    private static int answeredUntilEof(NbdTestClient c, int readLength, long millis) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            int n = 0;
            try {
                while (true) {
                    NbdTestClient.Reply r = c.reply(h -> readLength);
                    assertThat(r.error()).isZero();
                    n++;
                }
            } catch (java.io.EOFException end) {
                return n;
            } catch (java.io.IOException e) {
                throw new AssertionError("not a clean end of stream", e);
            }
        }, r -> new Thread(r).start()).get(millis, TimeUnit.MILLISECONDS);
    }

    /** Reads replies (without data) until the end of the stream; their errors. */
    /**
     * The reason a connection is retired is logged before its stream ends, also when a request in
     * flight finishes while the line is being logged. Before, that request's end sealed the connection
     * at once, and the client saw the end of the stream with no reason in the log yet: what made
     * aReadWriteBcvClientIsDisconnectedAfterAnEstablishAndNoWriteSlipsThrough fail now and then under
     * load (its log empty at the EOF). Here the log takes 300 ms over the line and lets the held read end
     * meanwhile.
     */
    @Test
    @Timeout(30)
    void theReasonIsLoggedBeforeTheStreamEndsEvenWhenARequestFinishesMeanwhile() throws Exception {
        java.util.concurrent.CountDownLatch readHeld = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch readIn = new java.util.concurrent.CountDownLatch(1);
        MemoryDevice mem = new MemoryDevice(1 << 20);
        org.splitpoint.engine.io.BlockDevice held = new org.splitpoint.engine.io.BlockDevice() {
            @Override
            public long size() {
                return mem.size();
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws java.io.IOException {
                readIn.countDown();
                try {
                    readHeld.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                mem.read(offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src) throws java.io.IOException {
                mem.write(offset, src);
            }

            @Override
            public void flush() {
            }
        };
        java.util.concurrent.atomic.AtomicBoolean readOnly = new java.util.concurrent.atomic.AtomicBoolean();
        ExportCatalog catalog = new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(find("x"));
            }

            @Override
            public Export find(String name) {
                return name.equals("x") ? new Export("x", held, readOnly.get(), "held") : null;
            }
        };
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Consumer<String> slowLog = m -> {
            if (m.contains("became read-only")) {
                readHeld.countDown(); // the read in flight ends while this line is being logged
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lines.add(m);
        };
        try (NbdServer s = NbdServer.tcp("127.0.0.1", 0, catalog, slowLog);
             NbdTestClient c = new NbdTestClient(s.port())) {
            c.go("x", Nbd.OPT_GO);
            c.request(Nbd.CMD_READ, 0, 1, 0, 4096, null);
            assertThat(readIn.await(5, TimeUnit.SECONDS)).isTrue();
            readOnly.set(true); // the next round of the watch retires the connection
            assertThat(c.reply(h -> 4096).error()).as("the read in flight is answered").isZero();
            assertThat(errorsUntilEof(c, 5000)).isEmpty();
            assertThat(lines).as("the log when the stream ended").anyMatch(l -> l.contains("on x: the export became read-only"));
        }
    }

    private static List<Integer> errorsUntilEof(NbdTestClient c, long millis) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            List<Integer> errors = new java.util.ArrayList<>();
            try {
                while (true) {
                    errors.add(c.reply(h -> 0).error());
                }
            } catch (java.io.EOFException end) {
                return errors;
            } catch (java.io.IOException e) {
                throw new AssertionError("not a clean end of stream", e);
            }
        }, r -> new Thread(r).start()).get(millis, TimeUnit.MILLISECONDS);
    }
}
