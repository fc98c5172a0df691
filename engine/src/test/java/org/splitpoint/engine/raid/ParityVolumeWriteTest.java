package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/**
 * What a RAID 5 write reads (issue 14, NBD write performance): a partial stripe reads only the rows
 * of the strips it does not replace, and two writes in flight that share a stripe (a client
 * streaming requests that are not whole stripes, as nbdcopy's 256 KiB against 192 KiB of data per
 * stripe over 4 drives) write it whole without reading it; a share whose partner does not come is
 * written alone at the gather's deadline. Bytes and parity stay right throughout, also with many
 * writers at once and a drive failing among them.
 */
class ParityVolumeWriteTest {

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** Member images that count the bytes read at each row, and can hold back the first write of row 0 until released. */
    static final class Members extends ForwardingStorage {
        /** Bytes read from member rows [from, to) of any member, in rows [0, rowsWatched). */
        final AtomicLong[] readAt;
        final int grain;
        /** Reads of member images, counted as calls (whatever their length). */
        final AtomicLong readCalls = new AtomicLong();
        /** The threads that read member images. */
        final java.util.Set<String> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean holdRowZero;
        final CountDownLatch rowZeroHeld = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        /** Set: zeroRange waits (at most 5 s) for a write at a member row in [watchFrom, watchTo) before it zeroes. */
        volatile CountDownLatch zeroRangeWaits;
        volatile long watchFrom;
        volatile long watchTo;
        final java.util.concurrent.atomic.AtomicBoolean zeroRangeWaitedInVain = new java.util.concurrent.atomic.AtomicBoolean();

        Members(int grain, int grains) {
            this.grain = grain;
            this.readAt = new AtomicLong[grains];
            for (int i = 0; i < grains; i++) {
                readAt[i] = new AtomicLong();
            }
        }

        long readTotal() {
            long n = 0;
            for (AtomicLong a : readAt) {
                n += a.get();
            }
            return n;
        }

        void resetCounts() {
            for (AtomicLong a : readAt) {
                a.set(0);
            }
            readCalls.set(0);
        }

        @Override
        protected StorageFile wrap(Path path, StorageFile file) {
            if (!path.getFileName().toString().matches("d\\d+\\.img")) {
                return file;
            }
            return new ForwardingFile(file) {
                @Override
                public void readFully(long position, ByteBuffer dst) throws IOException {
                    int n = dst.remaining();
                    readCalls.incrementAndGet();
                    readers.add(Thread.currentThread().getName());
                    super.readFully(position, dst);
                    for (long at = position; at < position + n; ) {
                        long g = at / grain;
                        long next = Math.min(position + n, (g + 1) * grain);
                        if (g < readAt.length) {
                            readAt[(int) g].addAndGet(next - at);
                        }
                        at = next;
                    }
                }

                @Override
                public void zeroRange(long position, long length, boolean deallocate) throws IOException {
                    CountDownLatch l = zeroRangeWaits;
                    if (l != null) {
                        try {
                            if (!l.await(5, TimeUnit.SECONDS)) {
                                zeroRangeWaitedInVain.set(true);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.zeroRange(position, length, deallocate);
                }

                @Override
                public void writeFully(long position, ByteBuffer src) throws IOException {
                    CountDownLatch l = zeroRangeWaits;
                    if (l != null && position >= watchFrom && position < watchTo) {
                        l.countDown();
                    }
                    if (position == 0 && holdRowZero) {
                        holdRowZero = false;
                        rowZeroHeld.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.writeFully(position, src);
                }
            };
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(RaidVolume v, byte[] model, long at, byte[] bytes) throws IOException {
        v.write(at, ByteBuffer.wrap(bytes));
        System.arraycopy(bytes, 0, model, (int) at, bytes.length);
    }

    @Test
    void aPartialStripeReadsOnlyTheStripsItDoesNotReplace() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 4 << 20, 65536);
        Members members = new Members(65536, 64);
        try (Pool pool = Pool.open(dir, members)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            int unit = v.stripUnit();
            byte[] model = random((int) v.size(), 1);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();

            members.resetCounts();
            write(v, model, unit, random(2 * unit, 2)); // strips 1 and 2 of stripe 0 whole
            assertThat(members.readTotal()).as("bytes read: strip 0's rows only").isEqualTo(unit);

            members.resetCounts();
            write(v, model, 3L * unit + 10, random(90, 3)); // 90 bytes inside strip 0 of stripe 1
            assertThat(members.readTotal()).as("bytes read: the same rows of strips 1 and 2").isEqualTo(2 * 90);

            members.resetCounts();
            write(v, model, 6L * unit + unit / 2, random(unit, 4)); // half of strip 0, half of strip 1
            assertThat(members.readTotal()).as("bytes read: all three strips' rows, each in part replaced or not at all")
                    .isEqualTo(3L * unit);

            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the partial writes");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    @Test
    void twoWritesInFlightThatShareAStripeWriteItWholeWithoutReadingIt() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 4 << 20, 65536);
        Members members = new Members(65536, 64);
        try (Pool pool = Pool.open(dir, members)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            int unit = v.stripUnit();
            int request = 256 << 10; // stripe 0 whole and the first strip of stripe 1; then the rest of 1 and most of 2
            byte[] model = random((int) v.size(), 5);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            members.resetCounts();

            // the first write stops in its whole stripe 0 while the second one hands out its pieces
            members.holdRowZero = true;
            byte[] first = random(request, 6);
            byte[] second = random(request, 7);
            Future<?> a = threads.submit(() -> {
                v.write(0, ByteBuffer.wrap(first));
                return null;
            });
            assertThat(members.rowZeroHeld.await(30, TimeUnit.SECONDS)).isTrue();
            Future<?> b = threads.submit(() -> {
                v.write(request, ByteBuffer.wrap(second));
                return null;
            });
            // its stripe 1 piece waits for the first's, its stripe 2 piece for a third write that never comes
            awaitOpenGathers(v, 2);
            members.release.countDown();
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            System.arraycopy(first, 0, model, 0, request);
            System.arraycopy(second, 0, model, request, request);

            assertThat(members.readAt[1].get()).as("bytes read in the rows of stripe 1, which the two share").isZero();
            assertThat(members.readAt[2].get()).as("stripe 2: the second write's last piece, alone at its deadline")
                    .isEqualTo(unit);
            assertThat(v.gatherCounts()).as("open, whole, waited in vain").containsExactly(0, 1, 1);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the two writes");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    /** Polls (a loaded machine runs the writer late) until {@code n} gathers are open. */
    private static void awaitOpenGathers(ParityVolume v, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (v.gatherCounts()[0] < n) {
            assertThat(System.nanoTime()).as("%d gathers open in time", n).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /**
     * A stream's next request usually reaches the volume after the previous one has handed out its
     * pieces (it waited in the server's queue): the last piece of the first is deposited on the
     * prediction that the next brings the rest of its stripe, and the stripe is written whole.
     */
    @Test
    void theNextRequestOfAStreamCompletesAStripeAfterThePreviousHandedOutItsPieces() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 4 << 20, 65536);
        Members members = new Members(65536, 64);
        try (Pool pool = Pool.open(dir, members)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            int request = 256 << 10;
            byte[] model = random((int) v.size(), 11);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            members.resetCounts();

            byte[] first = random(request, 12);
            byte[] second = random(request, 13);
            Future<?> a = threads.submit(() -> {
                v.write(0, ByteBuffer.wrap(first));
                return null;
            });
            awaitOpenGathers(v, 1); // the first has written stripe 0 and deposited its piece of stripe 1
            v.write(request, ByteBuffer.wrap(second));
            a.get(30, TimeUnit.SECONDS);
            System.arraycopy(first, 0, model, 0, request);
            System.arraycopy(second, 0, model, request, request);

            assertThat(members.readAt[1].get()).as("bytes read in the rows of stripe 1").isZero();
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the two writes");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    /** Random streaming-size writes one at a time: predictions fail, and after the first miss only rare probes wait. */
    @Test
    void randomWritesOneAtATimeRarelyWaitForAPartner() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 8 << 20, 65536);
        try (Pool pool = Pool.open(dir)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            int request = 256 << 10;
            byte[] model = new byte[(int) v.size()];
            Random r = new Random(14);
            for (int i = 0; i < 200; i++) {
                long at = r.nextInt((int) (v.size() - request) / 4096) * 4096L;
                write(v, model, at, random(request, 15 + i));
            }
            // 400 pieces where a write begins or ends inside a stripe: the first prediction fails (its
            // credit is spent at once), then one piece in 256 probes
            assertThat(v.gatherCounts()[2]).as("gathers that waited in vain").isBetween(1L, 4L);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the random writes");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    /**
     * A flush while a write waits for the rest of its stripe: the write stops waiting at once (the
     * write that would bring the rest waits behind the flush's barrier), so the flush does not wait
     * for the gather's deadline (made 60 s here, so that only the barrier can end the wait in time).
     */
    @Test
    void aFlushDoesNotWaitForAGathersDeadline() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 4 << 20, 65536);
        System.setProperty("splitpoint.stripeGatherWaitMillis", "60000");
        try (Pool pool = Pool.open(dir)) {
            System.clearProperty("splitpoint.stripeGatherWaitMillis");
            ParityVolume v = (ParityVolume) pool.volume("v");
            int request = 256 << 10;
            byte[] model = random((int) v.size(), 30);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();

            byte[] first = random(request, 31); // its piece of stripe 1 waits for a next request
            Future<?> a = threads.submit(() -> {
                v.write(0, ByteBuffer.wrap(first));
                return null;
            });
            awaitOpenGathers(v, 1);
            long t0 = System.nanoTime();
            v.flush();
            assertThat(System.nanoTime() - t0).as("the flush's time").isLessThan(TimeUnit.SECONDS.toNanos(30));
            assertThat(a).as("the flush waited for the write in flight").isDone();
            a.get();
            assertThat(v.gatherCounts()).as("open, whole, waited in vain").containsExactly(0, 0, 0);
            System.arraycopy(first, 0, model, 0, request);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the flush");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        } finally {
            System.clearProperty("splitpoint.stripeGatherWaitMillis");
        }
    }

    @Test
    void aSharedStripeWhosePartnerDoesNotComeIsWrittenAloneAtTheDeadline() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 4 << 20, 65536);
        Members members = new Members(65536, 64);
        try (Pool pool = Pool.open(dir, members)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            int unit = v.stripUnit();
            byte[] model = random((int) v.size(), 8);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();

            members.holdRowZero = true; // released by the test only after the second write returned
            byte[] first = random(4 * unit, 9); // stripe 0 whole, then strip 0 of stripe 1
            byte[] second = random(2 * unit, 10); // strips 1 and 2 of stripe 1: waits for the first's strip 0
            Future<?> a = threads.submit(() -> {
                v.write(0, ByteBuffer.wrap(first));
                return null;
            });
            assertThat(members.rowZeroHeld.await(30, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            v.write(4L * unit, ByteBuffer.wrap(second));
            long waited = System.nanoTime() - t0;
            assertThat(waited).as("the second write waited for its partner until the deadline")
                    .isGreaterThanOrEqualTo(StripeGather.WAIT_NANOS);
            assertThat(a).isNotDone();
            byte[] got = new byte[2 * unit];
            v.read(4L * unit, ByteBuffer.wrap(got));
            assertThat(got).as("its bytes are on the members while the first write is still held").isEqualTo(second);

            members.release.countDown();
            a.get(30, TimeUnit.SECONDS);
            System.arraycopy(first, 0, model, 0, first.length);
            System.arraycopy(second, 0, model, 4 * unit, second.length);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after both");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    /**
     * A client's 32 MiB zeroing that does not begin on a stripe: cut into pieces counted from its first
     * whole stripe, its whole stripes are given back on every member without reading them, and of its
     * two partial stripes only the strips the zeros leave are read, for the parity (before, pieces
     * counted from the volume's start left a run of one whole stripe, too small to give back, which
     * was read and written with zeros on every member; and every strip of a partial stripe was read,
     * the covered ones only to tell whether they were zero already).
     */
    @Test
    void aLargeZeroingReadsOnlyTheStripsItsPartialStripesLeave() throws Exception {
        long[] range = new long[2];
        zeroOverData(20, new ZeroingProbe() {
            @Override
            public void before(ParityVolume v, Members members, long at, long len) {
                assertThat(at % (3L * v.stripUnit())).as("begins inside a stripe").isNotZero();
                assertThat(v.size()).isGreaterThanOrEqualTo(at + len);
                // the count below holds for ends on strip boundaries (as a client's MiB-aligned zeroing is)
                assertThat(at % v.stripUnit()).as("begins on a strip").isZero();
                assertThat((at + len) % v.stripUnit()).as("ends on a strip").isZero();
                range[0] = at;
                range[1] = at + len;
                members.resetCounts();
            }

            @Override
            public void after(ParityVolume v, Members members) {
                long unit = v.stripUnit();
                long stripe = 3 * unit;
                long headLeft = (range[0] % stripe) / unit; // the head stripe's strips before the zeros
                long tailLeft = 3 - (range[1] % stripe) / unit; // the tail stripe's strips after them
                assertThat(members.readTotal()).as("bytes read: the strips the zeros leave in the two partial stripes")
                        .isEqualTo((headLeft + tailLeft) * unit);
            }
        });
    }

    /**
     * The partial stripes at a zeroing's ends are written beside its whole stripes' zeroing, not
     * before and after it: here the members' zeroRange of the whole stripes waits for the write of
     * the tail's partial stripe, which came only after them before (5 s in vain, then on).
     */
    @Test
    void aZeroingsPartialStripesAreWrittenBesideItsWholeStripes() throws Exception {
        zeroOverData(21, new ZeroingProbe() {
            @Override
            public void before(ParityVolume v, Members members, long at, long len) {
                long stripe = 3L * v.stripUnit();
                long tailStripe = (at + len) / stripe;
                assertThat((at + len) % stripe).as("ends inside a stripe").isNotZero();
                members.watchFrom = tailStripe * v.stripUnit();
                members.watchTo = (tailStripe + 1) * v.stripUnit();
                members.zeroRangeWaits = new CountDownLatch(1);
            }

            @Override
            public void after(ParityVolume v, Members members) {
                members.zeroRangeWaits = null;
                assertThat(members.zeroRangeWaitedInVain).as("the whole stripes waited for the tail in vain").isFalse();
            }
        });
    }

    /** What a zeroing test looks at just before and after the zeroing of {@link #zeroOverData}. */
    private interface ZeroingProbe {
        void before(ParityVolume v, Members members, long at, long len) throws Exception;

        void after(ParityVolume v, Members members) throws Exception;
    }

    /**
     * A client's 32 MiB zeroing at 32 MiB of a 4-drive RAID 5 (64 KiB strips) filled with random
     * bytes ({@code seed}), between {@code probe}'s two looks; then the bytes are the model's (zeros
     * there) and parity verifies clean.
     */
    private void zeroOverData(long seed, ZeroingProbe probe) throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 24 << 20, 65536);
        Members members = new Members(65536, 1024);
        try (Pool pool = Pool.open(dir, members)) {
            ParityVolume v = (ParityVolume) pool.volume("v");
            long at = 32 << 20;
            long len = 32 << 20;
            byte[] model = random((int) v.size(), seed);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            probe.before(v, members, at, len);

            v.writeZeroes(at, len, true);
            probe.after(v, members);
            java.util.Arrays.fill(model, (int) at, (int) (at + len), (byte) 0);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the zeroing");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    /**
     * Eight writers stream the volume in 256 KiB requests from one counter (as a client's requests in
     * flight run on the server's workers), three passes; a drive fails during the second. The bytes
     * are the model's, degraded and after the rebuild, and parity verifies clean.
     * <p>{@code nbdPayloads}: each writer writes from one page-aligned direct buffer it fills again for
     * its next request, as the NBD server's connections do with their payload buffers: the volume
     * then writes member rows around the page cache from direct buffers of its own, and nothing it
     * keeps past a write (a gather, the stripe journal, an update to redo) may still point at the
     * payload the writer has since overwritten.
     */
    @ParameterizedTest(name = "NBD-like payloads: {0}")
    @ValueSource(booleans = {false, true})
    void manyWritersStreamingUnalignedRequestsKeepBytesAndParityRightThroughAFailure(boolean nbdPayloads) throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 8 << 20, 65536);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            int request = 256 << 10;
            byte[] model = new byte[(int) v.size()];
            for (int pass = 0; pass < 3; pass++) {
                byte[] bytes = random(model.length, 100 + pass);
                AtomicLong next = new AtomicLong();
                long failAt = pass == 1 ? (long) model.length / 2 / request * request : -1;
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    writers.add(threads.submit(() -> {
                        ByteBuffer payload = ByteBuffer.allocateDirect(request + 4096).alignedSlice(4096);
                        for (long at; (at = next.getAndAdd(request)) < model.length; ) {
                            if (at == failAt) {
                                pool.admin().failDrive("d3");
                            }
                            int n = (int) Math.min(request, model.length - at);
                            if (nbdPayloads) {
                                payload.clear().put(bytes, (int) at, n).flip();
                                v.write(at, payload);
                                payload.clear();
                                while (payload.hasRemaining()) {
                                    payload.put((byte) 0xA5); // the connection's next request
                                }
                            } else {
                                v.write(at, ByteBuffer.wrap(bytes, (int) at, n));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : writers) {
                    f.get(120, TimeUnit.SECONDS);
                }
                System.arraycopy(bytes, 0, model, 0, model.length);
                TestPools.assertSameBytes(TestPools.readAll(v), model, "after pass " + pass);
            }
            assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
            Job rebuild = pool.admin().replaceDrive("d3");
            assertThat(rebuild.await(120_000)).isTrue();
            assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "rebuilt");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }
}
