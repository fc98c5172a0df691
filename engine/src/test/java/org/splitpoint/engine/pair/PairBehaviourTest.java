package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

class PairBehaviourTest {

    @TempDir
    Path dir;

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aSplitImageEqualsTheStdAtTheSplitInstantWhileTheStdKeepsChanging() throws Exception {
        PairFixture.create(dir, Layout.RAID5, 1 << 20, 4096, 1);
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().establish("p1", false).await(30_000);
            BlockDevice std = pool.device("std");
            int size = (int) std.size();
            // one writer applies a known sequence of writes; model states are hashed after each
            List<String> hashes = new CopyOnWriteArrayList<>();
            byte[] model = new byte[size];
            hashes.add(sha(model));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                Random r = new Random(5);
                try {
                    while (!stop.get()) {
                        int len = 1 + r.nextInt(20_000);
                        int off = r.nextInt(size - len);
                        byte[] d = new byte[len];
                        r.nextBytes(d);
                        std.write(off, ByteBuffer.wrap(d));
                        System.arraycopy(d, 0, model, off, len);
                        hashes.add(sha(model));
                        writes.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            while (writes.get() < 50) {
                Thread.sleep(1);
            }
            pool.pairs().split(List.of("p1"));
            long atSplit = writes.get();
            while (writes.get() < atSplit + 50) {
                Thread.sleep(1);
            }
            stop.set(true);
            writer.join();
            String bcvHash = sha(PairFixture.read(pool.device("bcv")));
            int k = hashes.indexOf(bcvHash);
            assertThat(k).as("the BCV equals the STD after some prefix of the writes").isGreaterThanOrEqualTo(50);
            assertThat(hashes.size() - 1).as("the STD kept changing after the split").isGreaterThan(k);
            assertThat(sha(PairFixture.read(std))).isEqualTo(hashes.get(hashes.size() - 1));
        }
    }

    @Test
    void incrementalEstablishAndRestoreCopyExactlyTheInvalidTracks() throws Exception {
        int ts = 4096;
        PairFixture.create(dir, Layout.RAID1, 2 << 20, ts, 1);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            Pair p = pool.pairs().get("p1");
            Set<Long> stdTracks = new HashSet<>(List.of(3L, 4L, 100L, 511L));
            for (long t : stdTracks) {
                pool.device("std").write(t * ts + 7, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            }
            // a write spanning two tracks marks both
            pool.device("bcv").write(200L * ts - 2, ByteBuffer.wrap(new byte[] {9, 9, 9, 9}));
            assertThat(p.stdInvalidTracks()).isEqualTo(4);
            assertThat(p.bcvInvalidTracks()).isEqualTo(2);
            Job est = pool.pairs().establish("p1", false);
            assertThat(est.progress().totalTracks()).isEqualTo(6);
            assertThat(est.await(30_000)).isTrue();
            assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(PairFixture.read(pool.device("std")));
            pool.pairs().split(List.of("p1"));
            pool.device("std").write(50L * ts, ByteBuffer.wrap(new byte[] {5}));
            Job full = pool.pairs().restore("p1", true, false);
            assertThat(full.progress().totalTracks()).isEqualTo(p.totalTracks());
            assertThat(full.await(30_000)).isTrue();
            assertThat(p.state()).isEqualTo(PairState.Restored);
        }
    }

    @Test
    void aThrottleGivenToOneOperationDoesNotApplyToTheNext() throws Exception {
        int ts = 4096;
        PairFixture.create(dir, Layout.RAID1, 2 << 20, ts, 1);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("std").write(1L * ts, ByteBuffer.wrap(new byte[] {1}));
            // a limited restore small enough to finish inside its first second's budget
            Job slow = pool.pairs().restore("p1", false, false, 50_000);
            assertThat(slow.progress().throttle()).isEqualTo(50_000);
            assertThat(slow.progress().line()).contains("(limit 50 kB/s)");
            assertThat(slow.await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("std").write(5L * ts, ByteBuffer.wrap(new byte[] {8}));
            // a plain establish after it: its own (no) limit, not the restore's
            Job plain = pool.pairs().establish("p1", false);
            assertThat(plain.progress().throttle()).isZero();
            assertThat(plain.progress().line()).doesNotContain("limit");
            assertThat(plain.await(30_000)).isTrue();
        }
        // nor after a restart: the pair's record keeps no limit for the next operation
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().split(List.of("p1"));
            for (long t = 100; t < 140; t++) {
                pool.device("std").write(t * ts, ByteBuffer.wrap(new byte[] {9}));
            }
            assertThat(pool.pairs().restore("p1", false, false, 70_000).progress().throttle()).isEqualTo(70_000);
        }
        try (Pool pool = Pool.open(dir)) {
            Job resumed = pool.jobs().stream().filter(j -> j.progress().kind().equals("restore")).findFirst().orElse(null);
            assertThat(resumed).as("the limited restore was still copying at the close").isNotNull();
            assertThat(resumed.progress().throttle()).as("a copy resumed after a restart keeps its limit").isEqualTo(70_000);
            resumed.setThrottle(0);
            assertThat(resumed.await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("std").write(11L * ts, ByteBuffer.wrap(new byte[] {1}));
            assertThat(pool.pairs().restore("p1", false, false).progress().throttle()).isZero();
        }
    }

    @Test
    void theCatchUpOfAnUnprotectedRestoreGrowsTheJobSoItIsNotDoneWhileTracksRemain() throws Exception {
        int ts = 4096;
        PairFixture.create(dir, Layout.RAID1, 4 << 20, ts, 1);
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false))) {
            Job est = pool.pairs().establish("p1", true);
            while (est.stepOnce()) {
                // copy
            }
            pool.pairs().split(List.of("p1"));
            pool.device("bcv").write(3L * ts, ByteBuffer.wrap(new byte[] {7})); // one track to restore
            Job restore = pool.pairs().restore("p1", false, false);
            Pair p = pool.pairs().get("p1");
            // hosts write 100 scattered tracks meanwhile: the STD only (claim 2), to catch up at the end
            for (long t = 10; t < 1000; t += 10) {
                pool.device("std").write(t * ts, ByteBuffer.wrap(new byte[] {1}));
            }
            long written = p.stdInvalidTracks();
            assertThat(written).isGreaterThanOrEqualTo(99);
            boolean sawCatchUp = false;
            while (restore.stepOnce()) {
                var pr = restore.progress();
                assertThat(pr.totalTracks() - pr.doneTracks()).as("what the job says is left")
                        .isEqualTo(p.state() == PairState.SyncInProg ? p.stdInvalidTracks() : p.bcvInvalidTracks());
                if (p.state() == PairState.SyncInProg && p.stdInvalidTracks() > 0) {
                    sawCatchUp = true;
                    assertThat(pr.fraction()).as("catching up %d tracks", p.stdInvalidTracks()).isLessThan(1.0);
                    assertThat(pr.line()).doesNotContain("100.0%");
                    assertThat(pool.pairs().query("p1").get(0).progress()).isLessThan(1.0);
                }
            }
            assertThat(sawCatchUp).as("the catch-up took more than one step").isTrue();
            assertThat(restore.progress().totalTracks()).as("the restored track and the caught-up ones")
                    .isGreaterThanOrEqualTo(1 + written);
            assertThat(restore.progress().fraction()).isEqualTo(1.0);
            assertThat(p.state()).isEqualTo(PairState.Restored);
        }
    }

    @Test
    void tracksWrittenDuringAnEstablishGrowItsTotal() throws Exception {
        int ts = 4096;
        PairFixture.create(dir, Layout.RAID1, 4 << 20, ts, 1);
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false))) {
            Job est = pool.pairs().establish("p1", true);
            while (est.stepOnce()) {
                // copy
            }
            pool.pairs().split(List.of("p1"));
            for (long t = 0; t < 20; t++) {
                pool.device("std").write(t * ts, ByteBuffer.wrap(new byte[] {2}));
            }
            Job again = pool.pairs().establish("p1", false);
            assertThat(again.progress().totalTracks()).isEqualTo(20);
            // host writes are mirrored while SyncInProg; tracks whose BCV write failed are owed again
            // (PairSideView.writeBcvMirror marks them), as if two such writes came now
            Pair p = pool.pairs().get("p1");
            p.stdInvalid.mark(500, 501);
            p.stdInvalid.mark(700, 701);
            while (again.stepOnce()) {
                var pr = again.progress();
                assertThat(pr.totalTracks() - pr.doneTracks()).isEqualTo(p.stdInvalidTracks());
            }
            assertThat(again.progress().totalTracks()).as("20 owed at the start, 2 added on the way").isEqualTo(22);
        }
    }

    /** A 1 MiB RAID 1 pair of 4 KiB tracks, established in full and split, in a pool opened for writing. */
    private Pool splitPair() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 1);
        Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false));
        try {
            Job est = pool.pairs().establish("p1", true);
            while (est.stepOnce()) {
                // copy
            }
            pool.pairs().split(List.of("p1"));
            return pool;
        } catch (Exception | Error e) {
            pool.close();
            throw e;
        }
    }

    @Test
    void aReadOfAnUnrestoredTrackIsServedFromTheBcvAndThenRestored() throws Exception {
        try (Pool pool = splitPair()) {
            pool.device("bcv").write(10 * 4096, ByteBuffer.wrap("from the BCV".getBytes()));
            pool.pairs().restore("p1", false, true); // not stepped: nothing is copied by the job
            Pair p = pool.pairs().get("p1");
            assertThat(p.isRestored(10)).isFalse(); // claim 10: the state is queryable
            byte[] got = new byte[12];
            pool.device("std").read(10 * 4096, ByteBuffer.wrap(got));
            assertThat(new String(got)).isEqualTo("from the BCV"); // claim 4
            assertThat(p.onDemandReads()).isEqualTo(1);
            p.hydrator().drain();
            assertThat(p.isRestored(10)).as("the track read was restored to the STD (claim 11)").isTrue();
            assertThat(p.bcvInvalidTracks()).isZero();
            byte[] onStd = new byte[12];
            p.std().read(10 * 4096, ByteBuffer.wrap(onStd));
            assertThat(new String(onStd)).isEqualTo("from the BCV");
        }
    }

    /**
     * While a restore is paused, host reads keep restoring the tracks they read (claim 11): the
     * job's progress (the pair console's, the Jobs view's, {@code pair query}'s) follows them
     * instead of staying at the figure it had when it was paused.
     */
    @Test
    void aPausedRestoresProgressFollowsTheTracksHostReadsRestore() throws Exception {
        try (Pool pool = splitPair()) {
            byte[] changed = new byte[40 * 4096];
            java.util.Arrays.fill(changed, (byte) 3);
            pool.device("bcv").write(0, ByteBuffer.wrap(changed)); // 40 tracks to restore
            Job restore = pool.pairs().restore("p1", false, false);
            restore.pause();
            assertThat(restore.progress().doneTracks()).isZero();
            pool.device("std").read(0, ByteBuffer.allocate(10 * 4096)); // restores 10 of them
            pool.pairs().get("p1").hydrator().drain();
            assertThat(pool.pairs().get("p1").bcvInvalidTracks()).isEqualTo(30);
            assertThat(restore.progress().state()).isEqualTo(JobState.PAUSED);
            assertThat(restore.progress().doneTracks()).as("tracks restored while paused").isEqualTo(10);
            assertThat(restore.progress().totalTracks()).isEqualTo(40);
            assertThat(pool.pairs().query("p1").get(0).progress()).isEqualTo(0.25);
        }
    }

    /**
     * A host read of an unrestored track does not wait behind the copier's run over it (the run
     * holds its tracks' locks through a read of up to 1 MiB and its write): the BCV does not
     * change during a restore, so the read is answered from it at once (issue 14: host reads
     * before the copier). Here the test holds the track's lock as a run would.
     */
    @Test
    void aReadOfAnUnrestoredTrackDoesNotWaitForTheCopiersRunOverIt() throws Exception {
        try (Pool pool = splitPair()) {
            pool.device("bcv").write(10 * 4096 + 5, ByteBuffer.wrap("from the BCV".getBytes()));
            pool.pairs().restore("p1", false, true); // not stepped: nothing is copied by the job
            Pair p = pool.pairs().get("p1");
            byte[] got = new byte[12];
            java.util.concurrent.CompletableFuture<Void> read;
            try (org.splitpoint.engine.io.RangeLocks.Held run = p.trackLocks.lock(8, 16)) {
                read = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        pool.device("std").read(10 * 4096 + 5, ByteBuffer.wrap(got));
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                read.get(20, java.util.concurrent.TimeUnit.SECONDS); // waited for the lock before: timed out
            }
            assertThat(new String(got)).isEqualTo("from the BCV");
            assertThat(p.isRestored(10)).as("the copier restores it, not this read").isFalse();
        }
    }

    @Test
    void aProtectedRestoreLeavesTheBcvUnchangedAndCanBeRepeated() throws Exception {
        PairFixture.create(dir, Layout.RAID5, 1 << 20, 4096, 1);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            byte[] a = new byte[(int) std.size()];
            new Random(1).nextBytes(a);
            std.write(0, ByteBuffer.wrap(a));
            pool.pairs().establish("p1", false).await(30_000);
            pool.pairs().split(List.of("p1"));
            for (int round = 0; round < 2; round++) { // claim 13: restore the same image again later
                byte[] junk = new byte[100_000];
                new Random(10 + round).nextBytes(junk);
                std.write(12_345, ByteBuffer.wrap(junk));
                Job j = pool.pairs().restore("p1", false, true);
                assertThat(j.await(30_000)).isTrue();
                assertThat(j.state()).isEqualTo(JobState.DONE);
                Pair p = pool.pairs().get("p1");
                assertThat(p.state()).isEqualTo(PairState.Split);
                assertThat(p.isProtected()).isTrue();
                assertThat(PairFixture.read(std)).isEqualTo(a);
                assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(a);
            }
        }
    }

    @Test
    void aConsistentSplitOfThreePairsUnderConcurrentWriters() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 1 << 20, 4096, 3);
        try (Pool pool = Pool.open(dir)) {
            for (int i = 1; i <= 3; i++) {
                pool.pairs().establish("p" + i, false).await(30_000);
            }
            // each write puts its global sequence number in the next 8-byte slot of its STD
            record W(int pair, long seq, long start, long end) { }
            List<W> done = new CopyOnWriteArrayList<>();
            AtomicLong seq = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int pairNo = i;
                BlockDevice dev = pool.device("std" + i);
                writers.add(new Thread(() -> {
                    try {
                        for (int slot = 0; !stop.get() && slot < 10_000; slot++) {
                            long start = System.nanoTime();
                            long s = seq.incrementAndGet();
                            dev.write(slot * 8L, ByteBuffer.allocate(8).putLong(0, s));
                            done.add(new W(pairNo, s, start, System.nanoTime()));
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            writers.forEach(Thread::start);
            Thread.sleep(100);
            pool.pairs().split(List.of("p1", "p2", "p3"));
            Thread.sleep(100);
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            Set<Long> onBcv = new HashSet<>();
            for (int i = 1; i <= 3; i++) {
                ByteBuffer img = ByteBuffer.wrap(PairFixture.read(pool.device("bcv" + i)));
                for (int slot = 0; slot < 10_000; slot++) {
                    long v = img.getLong(slot * 8);
                    if (v != 0) {
                        onBcv.add(v);
                    }
                }
            }
            assertThat(onBcv).isNotEmpty();
            assertThat(onBcv.size()).isLessThan(done.size());
            // the split-point rule: a write that finished before a captured write started is captured too
            long latestCapturedStart = done.stream().filter(w -> onBcv.contains(w.seq())).mapToLong(W::start).max().orElseThrow();
            for (W w : done) {
                if (w.end() < latestCapturedStart) {
                    assertThat(onBcv).as("write %d of pair %d finished before a captured write began", w.seq(), w.pair())
                            .contains(w.seq());
                }
            }
        }
    }
}
