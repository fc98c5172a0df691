package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.ChainVerify;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * An instant restore from a backup cut, reopened, written, closed, reopened and cut again, with host
 * writers, readers and flushes beside its bulk copy and its on-demand fetches, over several openings.
 *
 * <p>Scene "journaled": v (RAID 5, 2 MiB) is journaled into a store: its base is a full image, a ship put
 * an incremental on it (the image restored: the chain of full + journal image), and 600 track writes
 * since are in the journal only (the restore undoes them). Scene "write-through": no journal, a full and
 * an incremental backup; the restore also writes an image of the volume into the store as it goes,
 * sealed at its end. Scene "failed": as "write-through" without it, v lost beyond its redundancy (d1
 * FAILED, d2's image gone) before the first opening: the restore's start puts blank drives in their
 * places. A run has two openings, each: open (the first starts the restore, throttled so it
 * runs through the openings, or fast every third run; a cut before its start returned may leave it not
 * started, found so at the reopen and started then), three host writers (writes, zeroings, flushes,
 * exact read-backs, whose reads fetch owed tracks) on their own regions, a ship of the journal once the
 * restore ended, a clean close, a reopen, the same again, and the power cut at a random write index
 * (unforced writes land or not, torn at 512 B for odd seeds, directory entries not synced lost; the
 * pool and the store both on the injector).
 *
 * <p>After every reopen v reads as hosts see it (an owed track as the image, the others as the volume:
 * not read through the view, whose fetches would restore every track at once) as the acknowledged
 * writes allow over the restored image: a track a host wrote is never owed again, nor copied over; the
 * ships reported done are in the store and verify; the journal's base chain plus its live entries is v.
 * At the end the restore runs to DONE, v still reads so, its members agree, the journal ships (or the
 * next incremental is taken) and the chain it ends is v, and every image the store lists verifies with
 * its chain; a write-through image sealed by a restore that ended in that last opening (no host writing)
 * reads as v. 8 runs a scene, 40 with {@code -Dsplitpoint.longTests=true};
 * {@code -Drestorecut.only=SCENE:C1,C2:SEED} runs one, {@code -Drestorecut.trace=true} says what each
 * reopen found.
 */
class InstantRestoreCutAgainTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1L << 20;
    private static final int WRITERS = 3;
    private static final int WRITES = 20;
    private static final int OPENINGS = 2;
    /**
     * The restore's bulk copy, bytes a second: 2 MiB in about 16 s, so it runs through the openings
     * (each starts with a second's worth); every third run (the first, which counts the writes, among
     * them) 4 MiB/s, so it ends in the first opening, beside the writers, and the journal ships after it.
     */
    private static long throttle(long seed) {
        return seed % 3 == 1 ? 4L << 20 : 128 * 1024;
    }

    @TempDir
    Path tmp;

    private byte[] scribbled;
    private byte[] restored;
    private String restoredId;
    private List<String> legs;
    /** Reopens that found the restore under way, and the tracks it still owed then, over the runs. */
    private long reopensUnderWay;
    private long reopens;
    private long owedAtReopens;
    /** Runs whose journal had no base at the end (it stopped protecting). */
    private long stoppedProtecting;
    /** Ships reported done in the openings, over the runs. */
    private long ships;
    /** Write-through images checked against v, over the runs. */
    private long writeThroughChecked;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"journaled", "write-through", "failed"})
    void anAcknowledgedWriteDuringAnInstantRestoreSurvivesEveryCut(String scene) throws Exception {
        Path template = tmp.resolve("template");
        Path storeTemplate = tmp.resolve("store-template");
        // the pool names its journal's store by its path: every run's store is at the same place
        template(template, tmp.resolve("store"), scene.equals("journaled"));
        Files.move(tmp.resolve("store"), storeTemplate);
        if (scene.equals("failed")) { // lost beyond its redundancy: d1 FAILED, d2's image gone
            try (Pool pool = Pool.open(template)) {
                pool.admin().failDrive("d1");
            }
            Files.delete(template.resolve("drives/d2.img"));
            try (Pool pool = Pool.open(template)) {
                assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            }
        }
        CutRuns.multiCut("InstantRestoreCutAgainTest", "restorecut.only", scene, tmp, OPENINGS, 8, 40,
                (runDir, cuts, seed) -> run(scene, template, storeTemplate, runDir, cuts, seed));
        System.out.println("InstantRestoreCutAgainTest " + scene + ": " + reopens + " reopens, " + reopensUnderWay
                + " with the restore under way, owing " + owedAtReopens + " tracks in all; " + stoppedProtecting
                + " runs ended with the journal not protecting; " + ships + " ships done in the openings; "
                + writeThroughChecked + " write-through images checked against v");
    }

    /**
     * v over d1..d3 written at random; journaled (two legs, d4 and d5) or not, backed up full, then 40
     * tracks rewritten and shipped (or backed up incrementally): the image to restore; then 600 more
     * tracks rewritten, which the restore undoes.
     */
    private void template(Path dir, Path store, boolean journaled) throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(11).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            if (journaled) {
                assertThat(pool.journals().enable("v", legs, store, 3 * DRIVE, 0).await(60_000)).isTrue();
            } else {
                assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            }
            rewrite(pool, 40, 12);
            pool.device("v").flush();
            if (journaled) {
                Job ship = pool.journals().ship("v");
                assertThat(ship.await(60_000)).isTrue();
                assertThat(ship.state()).isEqualTo(JobState.DONE);
                restoredId = pool.journals().status("v").base();
            } else {
                assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
                restoredId = pool.backups().lastBackup("v").image();
            }
            restored = TestPools.readAll(pool.volume("v"));
            rewrite(pool, 600, 13); // most tracks: the restore owes those the changed-block map names
            pool.device("v").flush();
            scribbled = TestPools.readAll(pool.volume("v"));
        }
        TestPools.assertSameBytes(BackupTest.imageBytes(store, restoredId), restored, "the image to restore");
    }

    private static void rewrite(Pool pool, int tracks, long seed) throws Exception {
        Random rnd = new Random(seed);
        int all = (int) (pool.volume("v").size() / TRACK);
        for (int i = 0; i < tracks; i++) {
            byte[] d = new byte[TRACK];
            rnd.nextBytes(d);
            pool.device("v").write((long) rnd.nextInt(all) * TRACK, ByteBuffer.wrap(d));
        }
    }

    /** What a run knows across its openings. */
    private final class Run {
        final String scene;
        final boolean journaled;
        /** The restore's start returned, or a reopen found it under way or done. */
        boolean tookEffect;
        AckOracle v = new AckOracle(scribbled);
        final Path store;
        final long throttle;
        /** Ships of the journal reported done (DONE): their images. */
        final java.util.Set<String> shipped = new java.util.LinkedHashSet<>();

        Run(String scene, Path store, long seed) {
            this.throttle = throttle(seed);
            this.scene = scene;
            this.journaled = scene.equals("journaled");
            this.store = store;
        }
    }

    private long[] run(String scene, Path template, Path storeTemplate, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.copyDir(template, dir);
        if (Files.exists(store)) {
            TestPools.deleteDir(store);
        }
        TestPools.copyDir(storeTemplate, store);
        Run r = new Run(scene, store, seed);
        String name = scene + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = CutRuns.openings(dir, cuts, seed, name, new CutRuns.Opening() {
            @Override
            public void reopened(Pool pool, String what) throws Exception {
                InstantRestoreCutAgainTest.this.reopened(pool, r, what);
            }

            @Override
            public void session(Pool pool, FaultInjector inj, long s, String what) throws Exception {
                InstantRestoreCutAgainTest.this.session(pool, r, inj, s, what);
            }

            @Override
            public void closed(Pool pool) throws Exception {
                InstantRestoreCutAgainTest.this.closed(pool, r);
            }

            @Override
            public void crashed() {
                r.v.crashed();
            }
        });
        String what = name + ", finished";
        try (Pool p = Pool.open(dir)) {
            reopened(p, r, what);
            if (!r.tookEffect) {
                startRestore(p, r, what);
            }
            // a restore that ends now ends with no host writing: its write-through image is then v exactly
            boolean endsHere = p.instantRestores().restoreOf("v") != null;
            CutRuns.finishJobs(p, what);
            assertThat(p.instantRestores().restoreOf("v")).as(what + ": the restore ended").isNull();
            byte[] got = reopened(p, r, what + ", the restore done");
            assertThat(p.volume("v").state()).as(what).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
            DirectoryStore st = DirectoryStore.open(store, StorageFactory.real(), false);
            if (r.journaled) {
                JournalAdmin.Status s = p.journals().status("v");
                if (s.base() == null) { // stopped protecting: a new base (the journal's watch may have started it)
                    System.out.println(what + ": the journal has no base: " + s.nextShip() + "; notes " + p.openNotes());
                    stoppedProtecting++;
                    if (Boolean.getBoolean("restorecut.trace")) {
                        org.splitpoint.engine.event.EventBus.readLog(dir.resolve("meta/events.jsonl"), 400).stream()
                                .filter(e -> e.message().contains("journal") || e.message().contains("backup"))
                                .forEach(e -> System.out.println("  " + e.severity() + " " + e.message()));
                    }
                    p.awaitJobs(null);
                    if (p.journals().status("v").base() == null) {
                        try {
                            assertThat(p.backups().backup("v", store, true, 0).await(60_000)).as(what + ": a new base").isTrue();
                        } catch (PoolException running) {
                            p.awaitJobs(null); // the watch started it meanwhile
                        }
                    }
                    assertThat(p.journals().status("v").base()).as(what + ": the journal's new base").isNotNull();
                }
                if (p.journals().status("v").entries() > 0) {
                    Job ship = p.journals().ship("v");
                    ship.await(60_000);
                    assertThat(ship.state()).as(what + ": the ship after the restore: " + ship.outcome()).isEqualTo(JobState.DONE);
                }
                String base = p.journals().status("v").base();
                TestPools.assertSameBytes(BackupTest.imageBytes(store, base), got, what + ": the journal's last image against v");
            } else {
                String last = p.backups().lastBackup("v").image();
                if (!last.equals(restoredId)) { // the write-through image, sealed and recorded
                    assertThat(new ChainVerify(st).verify(last, null).ok()).as(what + ": the write-through image verifies")
                            .isTrue();
                    if (endsHere) {
                        TestPools.assertSameBytes(BackupTest.imageBytes(store, last), got,
                                what + ": the write-through image " + last + " of a restore that ended here, against v");
                        writeThroughChecked++;
                    }
                }
                assertThat(p.backups().backup("v", store, false, 0).await(60_000)).as(what + ": the next incremental").isTrue();
                TestPools.assertSameBytes(BackupTest.imageBytes(store, p.backups().lastBackup("v").image()), got,
                        what + ": the chain after the next incremental against v");
            }
            for (ImageInfo i : st.list()) {
                ChainVerify.Verdict verdict = new ChainVerify(st).verify(i.id(), null);
                assertThat(verdict.ok()).as(what + ": image " + i.id() + " the store lists: " + verdict.sentence()).isTrue();
            }
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    private void startRestore(Pool pool, Run r, String what) throws Exception {
        pool.instantRestores().restore("v", r.store, restoredId, r.scene.equals("write-through"), r.throttle);
        r.tookEffect = true;
        r.v = new AckOracle(restored);
        if (Boolean.getBoolean("restorecut.trace")) {
            System.out.println(what + ": restore started, " + pool.instantRestores().restoreOf("v").owedTracks().cardinality()
                    + " owed at " + System.nanoTime() / 1_000_000);
        }
    }

    /**
     * v as reopened: as its acknowledged writes allow (over the restored image once the restore took
     * effect; a restore found under way or done took effect), and the journal's base chain plus its
     * entries is v. Returns v's bytes.
     */
    private byte[] reopened(Pool pool, Run r, String what) throws Exception {
        if (!r.tookEffect && pool.instantRestores().restoreOf("v") == null && pool.volume("v").state() == VolumeState.FAILED) {
            assertThat(r.scene).as(what + ": v FAILED with no restore").isEqualTo("failed");
            return null; // the cut came before its restore's start was on record: still lost, unreadable
        }
        byte[] got = viewBytes(pool);
        reopens++;
        if (pool.instantRestores().restoreOf("v") != null) {
            reopensUnderWay++;
            owedAtReopens += pool.instantRestores().restoreOf("v").owedTracks().cardinality();
        }
        if (Boolean.getBoolean("restorecut.trace")) {
            System.out.println(what + ": " + (pool.instantRestores().restoreOf("v") == null ? "no restore"
                    : pool.instantRestores().restoreOf("v").owedTracks().cardinality() + " owed") + "; jobs "
                    + pool.jobs().stream().map(j -> j.kind() + " " + j.state() + " " + j.progress().throttle() + " " + j.progress().doneTracks()).toList());
        }
        if (!r.tookEffect && (pool.instantRestores().restoreOf("v") != null || Arrays.equals(got, restored))) {
            r.tookEffect = true; // its start was on record when the cut came
            r.v = new AckOracle(restored);
        }
        assertThat(r.v.check(got)).as(what + ": v as reopened (restore " + (pool.instantRestores().restoreOf("v") == null
                ? "not under way" : "under way") + ")").isNull();
        if (r.journaled) {
            DirectoryStore st = DirectoryStore.open(r.store, StorageFactory.real(), false);
            java.util.Set<String> listed = new java.util.HashSet<>();
            st.list().forEach(i -> listed.add(i.id()));
            assertThat(listed).as(what + ": the ships reported done are in the store").containsAll(r.shipped);
            for (String id : r.shipped) {
                ChainVerify.Verdict verdict = new ChainVerify(st).verify(id, null);
                assertThat(verdict.ok()).as(what + ": ship " + id + ": " + verdict.sentence()).isTrue();
            }
            JournalAdmin.Status s = pool.journals().status("v");
            if (s.base() != null) {
                TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), got,
                        what + ": the journal's base (" + s.base() + ") plus its entries against v");
            }
        }
        return got;
    }

    /**
     * v as hosts read it, without the fetches a read of every track makes (they would restore the
     * whole volume at once): a track the restore still owes is the image's, the others are the
     * volume's. The owed tracks are taken before the volume is read; an owed track is only ever
     * cleared after its bytes are on the volume, so a track found clear reads what hosts read.
     */
    private byte[] viewBytes(Pool pool) throws Exception {
        org.splitpoint.engine.restore.InstantRestore restore = pool.instantRestores().restoreOf("v");
        if (restore == null) {
            return ResumedJobCutAgainTest.readAll(pool.device("v"));
        }
        java.util.BitSet owed = new java.util.BitSet();
        org.splitpoint.engine.bitmap.TrackBitmap live = restore.owedTracks();
        for (long t = live.nextSetBit(0); t >= 0; t = live.nextSetBit(t + 1)) {
            owed.set((int) t);
        }
        byte[] got = TestPools.readAll(pool.volume("v"));
        for (int t = owed.nextSetBit(0); t >= 0; t = owed.nextSetBit(t + 1)) {
            System.arraycopy(restored, t * TRACK, got, t * TRACK, TRACK);
        }
        return got;
    }

    /** One session: the restore started if it has not, host writers beside it to their end (or the cut). */
    private void session(Pool pool, Run r, FaultInjector inj, long seed, String what) throws Exception {
        if (!r.tookEffect) {
            startRestore(pool, r, what);
        }
        HostWriters w = new HostWriters(WRITERS, TRACK, viewBytes(pool)).span(40);
        // the writers' oracle starts from v as read now (reopened() checked it against what came before)
        assertThat(r.v.check(w.model.currentCopy())).as(what + ": v before the writers").isNull();
        r.v = w.model;
        w.start(pool, seed, WRITES, inj::isCut);
        w.join();
        assertThat(w.failure.get()).as(what + ": the writers").isNull();
        if (inj.isCut()) {
            throw new IOException("cut"); // ends the opening: said by cutOrFail
        }
        if (r.journaled && pool.instantRestores().restoreOf("v") == null && pool.journals().status("v").base() != null
                && pool.journals().status("v").entries() > 0) {
            // the restore ended: its journal ships (a ship waits for no restore), as a holder's watch would
            Job ship;
            try {
                ship = pool.journals().ship("v");
            } catch (PoolException running) { // the watch's own ship, or its base backup
                if (Boolean.getBoolean("restorecut.trace")) {
                    System.out.println(what + ": ship refused: " + running.getMessage());
                }
                ship = null;
            }
            if (ship != null) {
                ship.await(60_000);
                if (ship.state() == JobState.DONE) {
                    r.shipped.add(pool.journals().status("v").base());
                    ships++;
                } else {
                    assertThat(inj.isCut()).as(what + ": a ship after the restore " + ship.state() + " without a cut: "
                            + ship.outcome()).isTrue();
                    throw new IOException("cut");
                }
            }
        }
        if (Boolean.getBoolean("restorecut.trace")) {
            System.out.println(what + ": after the writers at " + System.nanoTime() / 1_000_000 + ", " + (pool.instantRestores().restoreOf("v") == null ? "no restore"
                    : pool.instantRestores().restoreOf("v").owedTracks().cardinality() + " owed") + "; jobs "
                    + pool.jobs().stream().map(j -> j.kind() + " " + j.state() + " " + j.progress().message()).toList());
        }
    }

    private static void closed(Pool pool, Run r) throws Exception {
        pool.close();
        r.v.allAcknowledged(); // a clean close acknowledges every write that returned before it
    }
}
