package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A restore to a snapshot and snapshot deletes racing host writers and a pair's copy, cut, reopened,
 * written, closed, reopened and cut again.
 *
 * <p>v (RAID 5, 2 MiB) is the STD of pair p (BCV w), with snapshots s1, s2 and s3 of it in a save area
 * large enough that none is ever made invalid. A run has two openings, each: open, a session, a clean
 * close, a reopen, a session, and the power cut at a random write index (unforced writes land or not,
 * torn at 512 B for odd seeds, directory entries not synced lost). A session: three host writers
 * (writes, zeroings, flushes, exact read-backs) on v, beside them a thread that deletes s1, then s3, and
 * (while v is not being restored) takes and deletes snapshots of its own while the writes go on; then,
 * with no write in flight and no restore under way, a snapshot taken whose image is known. Scene "restore": the pair is Synchronized (mirroring) and the
 * first session restores v to s2 (with its safety snapshot), throttled so the restore runs through the
 * openings, its refills going to the BCV as well. Scene "establish": the pair is Split and each session
 * starts its incremental establish beside the writers (split again once Synchronized).
 *
 * <p>After every reopen v reads as the acknowledged writes allow (over s2's image once the restore
 * took effect); a snapshot whose delete returned is gone; every snapshot whose image is known (s1, s2,
 * s3, the safety snapshot, those taken with no write in flight) reads it, and only s1 and s3 may go; every snapshot is VALID. At the end the jobs finish, the
 * same holds, the members of v, w and the save area agree, and w after an establish and a split is v.
 * 8 runs a scene, 40 with {@code -Dsplitpoint.longTests=true}; {@code -Dsnapcut.only=SCENE:C1,C2:SEED}
 * runs one.
 */
class SnapshotRestoreCutAgainTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1L << 20;
    private static final int WRITERS = 3;
    private static final int WRITES = 20;
    private static final int OPENINGS = 2;

    @TempDir
    Path tmp;

    private byte[] atS1;
    private byte[] atS2;
    private byte[] initial;
    private long reopensRestoring;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"restore", "establish"})
    void snapshotRestoreAndDeletesRacingWritersAndAPairCopyLoseNothingThroughCuts(String scene) throws Exception {
        Path template = tmp.resolve("template");
        template(template, scene);
        CutRuns.multiCut("SnapshotRestoreCutAgainTest", "snapcut.only", scene, tmp, OPENINGS, 8, 40,
                (runDir, cuts, seed) -> run(new Run(scene), template, runDir, cuts, seed));
        System.out.println("SnapshotRestoreCutAgainTest " + scene + ": " + reopensRestoring
                + " reopens found the restore to s2 under way");
    }

    /**
     * v (d1..d3) random, pair p with BCV w (d4..d6) established, s1 taken, 40 writes, s2 taken, v
     * partly rewritten; the pair Synchronized for "restore", split for "establish". The save area
     * (d7..d9, 4 MiB drives) holds every track of v four times over.
     */
    private void template(Path dir, String scene) throws Exception {
        Pool.create(dir, 6, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            List<String> save = List.of(p.admin().addDrive(4 * DRIVE), p.admin().addDrive(4 * DRIVE),
                    p.admin().addDrive(4 * DRIVE));
            p.admin().createVolume("v", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("w", Layout.RAID5, List.of("d4", "d5", "d6"), 0);
            p.admin().createVolume("save", Layout.RAID5, save, 0);
            p.snapshots().setSaveArea("save");
            byte[] image = new byte[(int) p.volume("v").size()];
            new Random(3).nextBytes(image);
            p.device("v").write(0, ByteBuffer.wrap(image));
            p.pairs().create("p", "v", "w");
            assertThat(p.pairs().establish("p", true).await(60_000)).isTrue();
            p.snapshots().create("v", "s1");
            atS1 = TestPools.readAll(p.volume("v"));
            Random r = new Random(4);
            for (int i = 0; i < 200; i++) {
                byte[] d = new byte[TRACK];
                r.nextBytes(d);
                p.device("v").write((long) r.nextInt(image.length / TRACK) * TRACK, ByteBuffer.wrap(d));
            }
            p.snapshots().create("v", "s2");
            atS2 = TestPools.readAll(p.volume("v"));
            for (int i = 0; i < 300; i++) { // the restore to s2 owes these
                byte[] d = new byte[TRACK];
                r.nextBytes(d);
                p.device("v").write((long) r.nextInt(image.length / TRACK) * TRACK, ByteBuffer.wrap(d));
            }
            if (scene.equals("establish")) {
                p.pairs().split(List.of("p"));
            }
            p.snapshots().create("v", "s3");
            initial = TestPools.readAll(p.volume("v"));
        }
    }

    /** What a run knows across its openings. */
    private final class Run {
        final String scene;
        AckOracle v;
        /** Snapshots whose image is known (taken with no write in flight), by name. */
        final Map<String, AckOracle> known = new LinkedHashMap<>();
        boolean restoreTookEffect;
        String safety;
        /** The snapshots whose delete returned. */
        final java.util.Set<String> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int takes;

        Run(String scene) {
            this.scene = scene;
            this.v = new AckOracle(initial);
            known.put("s1", exactly(atS1));
            known.put("s2", exactly(atS2));
            known.put("s3", exactly(initial));
        }
    }

    private static AckOracle exactly(byte[] image) {
        AckOracle o = new AckOracle(image);
        o.allAcknowledged();
        return o;
    }

    private long[] run(Run r, Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String name = r.scene + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = CutRuns.openings(dir, cuts, seed, name, new CutRuns.Opening() {
            @Override
            public void reopened(Pool pool, String what) throws Exception {
                SnapshotRestoreCutAgainTest.this.reopened(pool, r, what);
            }

            @Override
            public void session(Pool pool, FaultInjector inj, long s, String what) throws Exception {
                SnapshotRestoreCutAgainTest.this.session(pool, r, inj, s, what);
            }

            @Override
            public void closed(Pool pool) throws Exception {
                pool.close();
                r.v.allAcknowledged();
            }

            @Override
            public void crashed() {
                r.v.crashed();
                r.known.values().forEach(AckOracle::crashed);
            }
        });
        String what = name + ", finished";
        try (Pool p = Pool.open(dir)) {
            reopened(p, r, what);
            CutRuns.finishJobs(p, what);
            assertThat(p.snapshots().restoreOf("v")).as(what + ": the restore ended").isNull();
            reopened(p, r, what + ", its jobs done");
            assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
            assertThat(p.admin().verify("save", false, null)).as(what + ": the save area's members agree").isZero();
            if (pairState(p) == PairState.Split) {
                Job est = p.pairs().establish("p", false);
                assertThat(est.await(60_000)).isTrue();
                assertThat(est.state()).as(what + ": the establish at the end").isEqualTo(org.splitpoint.engine.job.JobState.DONE);
            }
            p.pairs().split(List.of("p"));
            TestPools.assertSameBytes(TestPools.readAll(p.volume("w")), TestPools.readAll(p.volume("v")),
                    what + ": w after an establish and a split");
            assertThat(p.admin().verify("w", false, null)).as(what + ": w's members agree").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    private static PairState pairState(Pool pool) throws Exception {
        return pool.pairs().query("p").get(0).state();
    }

    /**
     * v as hosts read it, without fetching every owed track (which would restore it all at once): a
     * track the restore still owes is s2's, the others the volume's. The owed tracks are taken first;
     * a track's bit clears only once its bytes are on the volume.
     */
    private byte[] viewBytes(Pool pool) throws Exception {
        InstantRestore restore = pool.snapshots().restoreOf("v");
        if (restore == null) {
            return ResumedJobCutAgainTest.readAll(pool.device("v"));
        }
        BitSet owed = new BitSet();
        TrackBitmap live = restore.owedTracks();
        for (long t = live.nextSetBit(0); t >= 0; t = live.nextSetBit(t + 1)) {
            owed.set((int) t);
        }
        byte[] got = TestPools.readAll(pool.volume("v"));
        for (int t = owed.nextSetBit(0); t >= 0; t = owed.nextSetBit(t + 1)) {
            System.arraycopy(atS2, t * TRACK, got, t * TRACK, TRACK);
        }
        return got;
    }

    /** Everything a reopen must show (see the class note); returns v's bytes. */
    private byte[] reopened(Pool pool, Run r, String what) throws Exception {
        boolean restoring = pool.snapshots().restoreOf("v") != null;
        reopensRestoring += restoring ? 1 : 0;
        byte[] got = viewBytes(pool);
        if (!r.restoreTookEffect && restoring) {
            r.restoreTookEffect = true; // on record when the cut came, its start not returned
            r.v = new AckOracle(atS2);
        }
        assertThat(r.v.check(got)).as(what + ": v as reopened (restore " + (restoring ? "under way" : "not under way") + ")")
                .isNull();
        Map<String, SnapshotAdmin.Info> listed = new LinkedHashMap<>();
        for (SnapshotAdmin.Info i : pool.snapshots().list("v")) {
            listed.put(i.name(), i);
            assertThat(i.state()).as(what + ": " + i.ref() + " " + i.why()).isEqualTo(SnapshotAdmin.VALID);
        }
        for (String d : r.deleted) {
            assertThat(listed).as(what + ": " + d + " is listed though its delete returned").doesNotContainKey(d);
        }
        for (Map.Entry<String, AckOracle> e : r.known.entrySet()) {
            if (listed.containsKey(e.getKey())) {
                assertThat(e.getValue().check(SnapshotCrashTest.read(pool, e.getKey()))).as(what + ": " + e.getKey()).isNull();
            } else {
                assertThat(r.deleted.contains(e.getKey()) || e.getKey().equals("s1") || e.getKey().equals("s3"))
                        .as(what + ": " + e.getKey() + ", whose take returned, is gone").isTrue();
            }
        }
        if (r.safety != null) {
            assertThat(listed).as(what + ": the safety snapshot of the restore that started").containsKey(r.safety);
        }
        return got;
    }

    private void session(Pool pool, Run r, FaultInjector inj, long seed, String what) throws Exception {
        Random rnd = new Random(seed);
        Job establish = null;
        if (r.scene.equals("restore") && !r.restoreTookEffect) {
            byte[] before = viewBytes(pool);
            pool.snapshots().restore("v", "s2", true, 128 * 1024); // about 16 s: it runs through the openings
            r.restoreTookEffect = true;
            r.v = new AckOracle(atS2);
            r.safety = pool.snapshots().restoreRecordOf("v").safety();
            r.known.put(r.safety, exactly(before));
        } else if (r.scene.equals("establish") && pairState(pool) == PairState.Split) {
            establish = pool.pairs().establish("p", false);
            establish.setThrottle(256 * 1024);
        }
        HostWriters w = new HostWriters(WRITERS, TRACK, viewBytes(pool)).span(60);
        assertThat(r.v.check(w.model.currentCopy())).as(what + ": v before the writers").isNull();
        r.v = w.model;
        r.known.values().forEach(w.alsoFlushed::add);
        AtomicReference<String> failure = new AtomicReference<>();
        Thread racer = new Thread(() -> {
            Random t = new Random(seed * 3);
            String last = null;
            try {
                while (!inj.isCut() && w.threads.stream().anyMatch(Thread::isAlive)) {
                    Thread.sleep(t.nextInt(20));
                    // s1, then s3, deleted beside the writers (and the restore, in its scene)
                    String gone = !r.deleted.contains("s1") ? "s1" : !r.deleted.contains("s3") ? "s3" : null;
                    if (gone != null && t.nextInt(3) == 0) {
                        if (pool.snapshots().list("v").stream().anyMatch(i -> i.name().equals(gone))) {
                            pool.snapshots().delete("v", gone);
                        }
                        r.deleted.add(gone);
                        continue;
                    }
                    if (pool.snapshots().restoreOf("v") != null) {
                        continue; // no snapshot of v is taken while it is restored to one
                    }
                    String n = "race" + (r.takes++);
                    pool.snapshots().create("v", n);
                    if (last != null) {
                        pool.snapshots().delete("v", last);
                    }
                    last = n;
                }
            } catch (Exception e) {
                if (!inj.isCut()) {
                    failure.compareAndSet(null, e.toString());
                    e.printStackTrace();
                }
            }
        }, "snapshot-racer");
        w.start(pool, seed, WRITES, inj::isCut);
        racer.start();
        w.join();
        racer.join();
        assertThat(w.failure.get()).as(what + ": the writers").isNull();
        assertThat(failure.get()).as(what + ": the snapshot takes and deletes beside them").isNull();
        if (inj.isCut()) {
            throw new IOException("cut"); // ends the opening: said by cutOrFail
        }
        if (pool.snapshots().restoreOf("v") != null) {
            return; // no snapshot of v is taken while it is restored to one
        }
        // a snapshot with no write in flight: its image is v's now
        String n = "known" + (r.takes++);
        AckOracle at = w.model.copy();
        pool.snapshots().create("v", n);
        at.allAcknowledged(); // the take flushed v
        w.model.allAcknowledged();
        r.known.put(n, at);
        if (establish != null && establish.await(0) && pairState(pool) == PairState.Synchronized) {
            pool.pairs().split(List.of("p")); // the next session establishes again
        }
    }
}
