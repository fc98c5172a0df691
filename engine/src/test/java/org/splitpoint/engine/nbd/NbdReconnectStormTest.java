package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that keeps reconnecting to a read-only export and leaving without a request (qemu
 * opened read-write with reconnect-delay on a BCV whose pair was established) costs about one
 * handshake a second, not a CPU, while first connections and other clients are served as before
 * ({@link ReconnectBackoff}).
 */
class NbdReconnectStormTest {

    private static final int FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;

    @TempDir
    Path dir;
    ServedPair served;

    @BeforeEach
    void start() throws Exception {
        served = ServedPair.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    /** As qemu opened read-write does: connects, finds the export read-only, leaves without a request; again at once. */
    private final class Storm implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final java.util.concurrent.atomic.AtomicLong handshakes = new java.util.concurrent.atomic.AtomicLong();
        final CompletableFuture<Void> done = CompletableFuture.runAsync(this::run);

        private void run() {
            while (!stop.get()) {
                try (NbdTestClient c = new NbdTestClient(served.server().port(), FLAGS)) {
                    c.go("copy", Nbd.OPT_GO);
                    handshakes.incrementAndGet();
                    if ((c.flags & Nbd.TFLAG_READ_ONLY) == 0) {
                        return; // writable again: qemu stays
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            done.get(10, TimeUnit.SECONDS);
        }
    }

    /** 4 KiB reads of prod, one at a time, for {@code millis}; returns their latencies. */
    private long[] readFor(long millis) throws Exception {
        try (NbdTestClient c = new NbdTestClient(served.server().port(), FLAGS)) {
            c.go("prod", Nbd.OPT_GO);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long[] lat = new long[1 << 20];
            int n = 0;
            java.util.Random rnd = new java.util.Random(7);
            while (System.nanoTime() < end && n < lat.length) {
                long t0 = System.nanoTime();
                c.request(Nbd.CMD_READ, 0, n, (rnd.nextInt(2048)) * 4096L, 4096, null);
                assertThat(c.reply(h -> 4096).error()).isZero();
                lat[n++] = System.nanoTime() - t0;
            }
            return java.util.Arrays.copyOf(lat, n);
        }
    }

    @Test
    @Timeout(60)
    void aClientReconnectingToAReadOnlyExportIsAnsweredAboutOnceASecondAndOthersReadAsFast() throws Exception {
        readFor(500); // warm
        long[] alone = readFor(2000);
        long[] during;
        long handshakes;
        long ms;
        try (Storm storm = new Storm()) {
            TimeUnit.SECONDS.sleep(2); // the backoff grows to its 1 s
            long h0 = storm.handshakes.get();
            long t0 = System.nanoTime();
            during = readFor(3000);
            handshakes = storm.handshakes.get() - h0;
            ms = (System.nanoTime() - t0) / 1_000_000;
        }
        // the rate alone measured again after the storm: the machine's own speed drifts by half within
        // seconds (a quiet minute gave 35,000 IOPS before and the storm's reads half of it, a minute later
        // 21,000 and 15,700), so the storm's reads are held to the mean of the two, not to one lucky sample
        long[] after = readFor(2000);
        double perSecond = handshakes * 1000.0 / ms;
        double iopsAlone = (alone.length + after.length) / 4.0;
        double iopsDuring = during.length * 1000.0 / ms;
        String figures = String.format(java.util.Locale.ROOT,
                "storm: %.1f handshakes/s; reads alone %.0f IOPS p99 %.3f ms, during the storm %.0f IOPS p99 %.3f ms",
                perSecond, iopsAlone, NbdLoad.quantileMillis(alone, 0.99), iopsDuring, NbdLoad.quantileMillis(during, 0.99));
        System.out.println(figures);
        assertThat(perSecond).as(figures).isLessThanOrEqualTo(2.0);
        assertThat(iopsDuring).as(figures).isGreaterThan(iopsAlone * 0.5);
        NbdLoad.Log log = served.log();
        assertThat(log.matching("keeps reconnecting to the read-only export copy")).as(log.toString()).hasSize(1);
        assertThat(log.lines.size()).as(log.toString()).isLessThan(20);
    }

    @Test
    @Timeout(60)
    void aFirstConnectionAndAToolRunEverySecondAreNotSlowed() throws Exception {
        try (Storm storm = new Storm()) {
            TimeUnit.SECONDS.sleep(2);
            assertThat(handshakeMillis("127.0.0.2")).as("another host's first connection, ms").isLessThan(500);
        }
        TimeUnit.MILLISECONDS.sleep(2100); // the storm's host is quiet past the window and its last 1 s wait: a new start
        for (int i = 0; i < 3; i++) { // nbdinfo run again and again, each after the last one's end
            assertThat(handshakeMillis("127.0.0.1")).as("run %d, ms", i).isLessThan(500);
            TimeUnit.MILLISECONDS.sleep(1100);
        }
    }

    @Test
    @Timeout(60)
    void aRequestEndsTheSlowingAndASplitEndsAWaitAtOnce() throws Exception {
        try (Storm storm = new Storm()) {
            TimeUnit.SECONDS.sleep(2);
        }
        try (NbdTestClient c = new NbdTestClient(served.server().port(), FLAGS)) { // waits, then reads: a reader after all
            c.go("copy", Nbd.OPT_GO);
            c.request(Nbd.CMD_READ, 0, 1, 0, 4096, null);
            assertThat(c.reply(h -> 4096).error()).isZero();
        }
        assertThat(handshakeMillis("127.0.0.1")).as("after a request, ms").isLessThan(500);
        assertThat(served.log().matching("made a request on copy, so its handshakes are answered at once again after"))
                .as(served.log().toString()).hasSize(1);

        try (Storm storm = new Storm()) {
            TimeUnit.SECONDS.sleep(2); // a handshake now waits up to 1 s
            served.pool().pairs().split(List.of("p1"));
            long t0 = System.nanoTime();
            storm.done.get(5, TimeUnit.SECONDS); // it got a writable export and stayed
            // a wait that did not look at the export would end up to 1 s later
            assertThat((System.nanoTime() - t0) / 1_000_000).as("writable after the split, ms").isLessThan(500);
        }
    }

    /**
     * How long a connection from {@code from} takes from connecting to GO's answer on copy, as
     * nbdinfo's (which then leaves without a request). A slowed one takes the storm's 1 s: the
     * callers' bound of 500 ms leaves room for a test machine busy with other work.
     */
    private long handshakeMillis(String from) throws Exception {
        try (NbdTestClient c = new NbdTestClient(from, served.server().port(), FLAGS)) {
            long t0 = System.nanoTime();
            c.go("copy", Nbd.OPT_GO);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(c.flags & Nbd.TFLAG_READ_ONLY).isNotZero();
            c.write(NbdLoad.header(Nbd.CMD_DISC, 0, 0, 0));
            return millis;
        }
    }
}
