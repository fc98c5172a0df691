package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;

/**
 * A job that {@code Pool.open} resumes after a power cut is cut again while it runs resumed, and
 * again: four openings per run (the job started under host writers and cut; reopened, read, host
 * writers beside the resumed job, cut; once more; then opened and finished). Host writers on their
 * own threads write, flush and read volume v in every opening; unforced writes land or not (torn
 * at 512 B for odd seeds) and directory entries not synced are lost (the injector). After every
 * reopen v reads as the acknowledged writes allow (over the job's image once the job took effect);
 * finished, it still does, its members agree, the job is off the record and nothing is left in
 * meta/ or drives/ that the next open would take for a file of its own.
 *
 * <p>Jobs: an instant restore from a backup (RAID 5 and RAID 1), a rebuild of a replaced drive
 * (RAID 5), a drive's return from a service window (pointers, data), a restore to a snapshot and a
 * pair restore (RAID 1). The cuts of each opening fall at random write indexes within what an
 * uncut opening writes (12 runs a job; 60 with {@code -Dsplitpoint.longTests=true});
 * {@code -Dresumed.scenes=pair-restore,...} runs some jobs, {@code -Dresumed.only=SCENE:C1,C2,C3:SEED}
 * one run.
 */
@QuickServiceSteps
class ResumedJobCutAgainTest {

    private static final int TRACK = 4096;
    private static final int WRITES = 30;
    private static final int OPENINGS_CUT = 3;

    @TempDir
    Path tmp;

    /** A job the runs start, resume and finish. */
    private interface Scene {
        /** The pool (and store) the runs copy; fills {@link #image}. */
        void prepare(Path pool, Path store) throws Exception;

        /** What v reads once the job took effect, before any host write. */
        byte[] image();

        /** Starts the job in the first opening. */
        void start(Pool pool, Path store) throws Exception;

        /** Whether the job took effect in the pool as reopened (it may have been cut before). */
        boolean onRecord(Pool pool);

        /**
         * At the last opening, before the jobs are awaited: what says the job was lost though its
         * start had returned ({@code started}), else null; and what the cut kept from starting, started.
         */
        default String finish(Pool pool, boolean started) throws Exception {
            return null;
        }
    }

    private Scene scene(String name) {
        return switch (name) {
            case "restore-raid5" -> new RestoreScene(Layout.RAID5, 3);
            case "restore-raid1" -> new RestoreScene(Layout.RAID1, 2);
            case "rebuild-raid5" -> new RebuildScene(Layout.RAID5, "d2");
            case "rebuild-raid3-parity" -> new RebuildScene(Layout.RAID3, "d3"); // RAID 3's parity drive
            case "rebuild-raid3-data" -> new RebuildScene(Layout.RAID3, "d1");
            case "return-pointers" -> new ReturnScene(LogMode.POINTERS);
            case "return-data" -> new ReturnScene(LogMode.DATA);
            case "snapshot-restore" -> new SnapshotRestoreScene();
            case "pair-restore" -> new PairRestoreScene();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"restore-raid5", "restore-raid1", "rebuild-raid5", "rebuild-raid3-parity", "rebuild-raid3-data", "return-pointers", "return-data", "snapshot-restore", "pair-restore"})
    void aResumedJobCutAgainAndAgainLosesNoAcknowledgedWriteAndEndsTrue(String name) throws Exception {
        Scene scene = scene(name);
        String scenes = System.getProperty("resumed.scenes", "");
        if (!scenes.isEmpty() && !Arrays.asList(scenes.split(",")).contains(name)) {
            return;
        }
        Path template = tmp.resolve("template");
        Path storeTemplate = tmp.resolve("store-template");
        scene.prepare(template, storeTemplate);
        String only = System.getProperty("resumed.only", ""); // "SCENE:C1,C2,C3:SEED" runs one
        if (!only.isEmpty()) {
            String[] a = only.split(":");
            if (a[0].equals(name)) {
                long[] cuts = Arrays.stream(a[1].split(",")).mapToLong(Long::parseLong).toArray();
                run(scene, template, storeTemplate, tmp.resolve("only"), cuts, Long.parseLong(a[2]));
            }
            return;
        }
        long[] counted = run(scene, template, storeTemplate, tmp.resolve("count"), new long[OPENINGS_CUT], 1);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int runs = all ? 60 : 12;
        Random pick = new Random(name.hashCode());
        for (int i = 0; i < runs; i++) {
            long[] cuts = new long[OPENINGS_CUT];
            for (int k = 0; k < OPENINGS_CUT; k++) {
                cuts[k] = 1 + (long) (pick.nextDouble() * Math.max(1, counted[k]));
            }
            long seed = 1 + i;
            run(scene, template, storeTemplate, tmp.resolve("run-" + i), cuts, seed);
        }
    }

    /**
     * One run: {@code cuts[k]} is the write index of opening k+1 at which the power goes (0: at its
     * end); returns the writes each opening made before its cut.
     */
    private long[] run(Scene scene, Path template, Path storeTemplate, Path runDir, long[] cuts, long seed)
            throws Exception {
        Path dir = runDir.resolve("pool");
        Path store = runDir.resolve("store");
        TestPools.copyDir(template, dir);
        if (Files.exists(storeTemplate)) {
            TestPools.copyDir(storeTemplate, store);
        }
        String run = "cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = new long[cuts.length];
        AckOracle oracle = null; // what v must read; null until the job took effect
        boolean started = false;
        for (int k = 0; k < cuts.length; k++) {
            String what = run + ", opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            HostWriters w = null;
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                byte[] got;
                if (k == 0) {
                    scene.start(pool, store);
                    started = true;
                    got = scene.image();
                } else {
                    got = readAll(pool.device("v"));
                    if (oracle == null && scene.onRecord(pool)) {
                        oracle = new AckOracle(scene.image()); // on record, though the start did not return
                    }
                    if (oracle != null && !inj.isCut()) {
                        assertThat(oracle.check(got)).as(what + ": v as reopened").isNull();
                    }
                }
                if (started || oracle != null) {
                    w = new HostWriters(2, TRACK, got);
                    w.start(pool, seed * 10 + k, WRITES, inj::isCut);
                    w.join();
                    // the job goes on a while alone (its commits and checkpoints), unless the cut comes first
                    for (int i = 0; i < 30 && !inj.isCut() && !pool.jobs().stream().allMatch(j -> j.state().isFinished()); i++) {
                        Thread.sleep(10);
                    }
                }
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            if (w != null) {
                w.join();
                assertThat(w.failure.get()).as(what).isNull();
                oracle = w.model; // what the next opening must read: over what this one read
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
        }
        String what = run + ", finished";
        try (Pool p = Pool.open(dir)) {
            if (oracle == null && scene.onRecord(p)) {
                oracle = new AckOracle(scene.image());
            }
            if (oracle != null) {
                assertThat(oracle.check(readAll(p.device("v")))).as(what + ": v as reopened").isNull();
            }
            assertThat(scene.finish(p, started)).as(what).isNull();
            CutRuns.finishJobs(p, what);
            if (oracle != null) {
                assertThat(oracle.check(readAll(p.device("v")))).as(what + ": v once the job ended").isNull();
            }
            assertThat(p.instantRestores().restoreOf("v")).as(what + ": the restore ended").isNull();
            assertThat(p.snapshots().restoreOf("v")).as(what + ": the snapshot restore ended").isNull();
            assertThat(p.snapshot().volume("v").state()).as(what + ": v's state; " + p.openNotes() + " "
                    + p.snapshot().drives()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.admin().verify("v", false, null)).as(what + ": the members agree").isZero();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.jobs()).as(what + ": nothing resumed at the next opening").isEmpty();
            assertThat(p.instantRestores().restoreOf("v")).as(what + ": no restore at the next opening").isNull();
            assertThat(p.snapshots().restoreOf("v")).as(what + ": no snapshot restore at the next opening").isNull();
        }
        assertThat(strays(dir)).as(what + ": files left over").isEmpty();
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** Files in drives/ and meta/ that are neither a drive's image nor a file of the pool's own. */
    private static List<String> strays(Path dir) throws Exception {
        List<String> found = new ArrayList<>();
        for (String sub : List.of("drives", "meta")) {
            try (Stream<Path> s = Files.list(dir.resolve(sub))) {
                s.map(f -> sub + "/" + f.getFileName())
                        // (an AtomicFile's .tmp a cut left is deleted by its next replace, never read)
                        // (nor is a restore's map whose start a cut kept off pool.json, nor a window's delta files
                        // whose end was on record: the next restore, or window, replaces them)
                        .filter(n -> n.contains("blank") || n.contains(".replacing")
                                || n.contains(".taken") || n.contains("damaged"))
                        .forEach(found::add);
            }
        }
        return found;
    }

    static byte[] readAll(BlockDevice d) throws Exception {
        byte[] b = new byte[(int) d.size()];
        d.read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** A scene whose job's image its {@code prepare} makes. */
    private abstract static class Imaged implements Scene {
        byte[] image;

        @Override
        public byte[] image() {
            return image;
        }
    }

    /** Writes {@code v} whole with random bytes of {@code seed}; returns them. */
    static byte[] filled(BlockDevice v, long seed) throws Exception {
        byte[] image = new byte[(int) v.size()];
        new Random(seed).nextBytes(image);
        v.write(0, ByteBuffer.wrap(image));
        return image;
    }

    /** Rewrites the middle half of {@code v} with random bytes of {@code seed} (into {@code image} too, when given). */
    static void rewriteHalf(BlockDevice v, byte[] image, long seed) throws Exception {
        byte[] half = new byte[(int) v.size() / 2];
        new Random(seed).nextBytes(half);
        if (image != null) {
            System.arraycopy(half, 0, image, image.length / 4, half.length);
        }
        v.write(v.size() / 4, ByteBuffer.wrap(half));
    }

    /** An instant restore of v from a full backup, v scribbled over since. */
    private static final class RestoreScene extends Imaged {
        private final Layout layout;
        private final int drives;
        private String imageId;

        RestoreScene(Layout layout, int drives) {
            this.layout = layout;
            this.drives = drives;
        }

        @Override
        public void prepare(Path dir, Path store) throws Exception {
            TestPools.create(dir, layout, drives, 1 << 20, TRACK);
            try (Pool pool = Pool.open(dir)) {
                BlockDevice v = pool.device("v");
                image = new byte[(int) v.size()];
                new Random(7).nextBytes(image);
                Arrays.fill(image, TRACK * 10, TRACK * 20, (byte) 0);
                v.write(0, ByteBuffer.wrap(image));
                assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
                imageId = pool.backups().lastBackup("v").image();
                byte[] other = new byte[image.length];
                new Random(8).nextBytes(other);
                v.write(0, ByteBuffer.wrap(other));
                v.flush();
            }
        }

        @Override
        public void start(Pool pool, Path store) throws Exception {
            // about two seconds for the whole volume: it runs through every opening
            pool.instantRestores().restore("v", store, imageId, false, image.length / 2);
        }

        @Override
        public boolean onRecord(Pool pool) {
            return pool.instantRestores().restoreOf("v") != null;
        }
    }

    /** A rebuild of {@code drive} of a {@code layout} volume over 3 drives, failed and replaced by a blank drive. */
    private static final class RebuildScene extends Imaged {
        private final Layout layout;
        private final String drive;

        RebuildScene(Layout layout, String drive) {
            this.layout = layout;
            this.drive = drive;
        }

        @Override
        public void prepare(Path dir, Path store) throws Exception {
            TestPools.create(dir, layout, 3, 1 << 20, TRACK);
            try (Pool pool = Pool.open(dir)) {
                BlockDevice v = pool.device("v");
                image = filled(v, 9);
                v.flush();
                pool.admin().failDrive(drive);
            }
        }

        @Override
        public void start(Pool pool, Path store) throws Exception {
            pool.admin().replaceDrive(drive, image.length / 4); // about two seconds for the drive's rows
        }

        @Override
        public boolean onRecord(Pool pool) {
            return true; // v holds its image whatever d2 is
        }

        @Override
        public String finish(Pool pool, boolean started) throws Exception {
            DriveState state = pool.snapshot().drive(drive).state();
            if (state == DriveState.FAILED) {
                if (started) {
                    return drive + " is FAILED though its replacement had returned";
                }
                pool.admin().replaceDrive(drive, 0);
            } else if (state == DriveState.MISSING) {
                return drive + " is MISSING: " + pool.openNotes();
            } else if (state == DriveState.REBUILDING && pool.jobs().isEmpty()) {
                return drive + " is REBUILDING with no rebuild resumed";
            }
            return null;
        }
    }

    /** The return of d2 of a RAID 5 from a service window in {@code mode}, with writes to half of v in the window. */
    private static final class ReturnScene extends Imaged {
        private final LogMode mode;

        ReturnScene(LogMode mode) {
            this.mode = mode;
        }

        @Override
        public void prepare(Path dir, Path store) throws Exception {
            TestPools.create(dir, Layout.RAID5, 3, 1 << 20, TRACK);
            try (Pool pool = Pool.open(dir)) {
                BlockDevice v = pool.device("v");
                image = filled(v, 10);
                v.flush();
                Job off = pool.service().offline("d2", OfflineReason.RESET, mode);
                if (off != null) {
                    off.await(10_000);
                }
                rewriteHalf(v, image, 11); // in the window: the drive misses it
                v.flush();
                pool.awaitJobs(null);
            }
        }

        @Override
        public void start(Pool pool, Path store) throws Exception {
            pool.service().online("d2");
        }

        @Override
        public boolean onRecord(Pool pool) {
            return true;
        }

        @Override
        public String finish(Pool pool, boolean started) throws Exception {
            pool.awaitJobs(null);
            var d2 = pool.snapshot().drive("d2");
            if (d2.service() != null && "window".equals(d2.service().phase())) {
                if (started) {
                    return "d2 is back in its window though its return had started: " + pool.openNotes();
                }
                pool.service().online("d2");
            }
            return null;
        }
    }

    /** A restore of RAID 1 v to its snapshot s, v rewritten since (half of it). */
    private static final class SnapshotRestoreScene extends Imaged {

        @Override
        public void prepare(Path dir, Path store) throws Exception {
            SnapshotPools.create(dir, TRACK, 1 << 20);
            try (Pool pool = Pool.open(dir)) {
                pool.snapshots().setSaveArea("save");
                BlockDevice v = pool.device("v");
                image = filled(v, 12);
                v.flush();
                pool.snapshots().create("v", "s");
                rewriteHalf(v, null, 13);
                v.flush();
            }
        }

        @Override
        public void start(Pool pool, Path store) throws Exception {
            pool.snapshots().restore("v", "s", false, image.length / 2); // about a second for the half to copy back
        }

        @Override
        public boolean onRecord(Pool pool) {
            return pool.snapshots().restoreOf("v") != null;
        }
    }

    /** A restore of pair p (STD v, BCV w, RAID 1), split and v rewritten since (half of it). */
    private static final class PairRestoreScene extends Imaged {

        @Override
        public void prepare(Path dir, Path store) throws Exception {
            SnapshotPools.create(dir, TRACK, 1 << 20);
            try (Pool pool = Pool.open(dir)) {
                BlockDevice v = pool.device("v");
                image = filled(v, 14);
                v.flush();
                pool.pairs().create("p", "v", "w");
                assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
                pool.pairs().split(List.of("p"));
                rewriteHalf(v, null, 15);
                v.flush();
            }
        }

        @Override
        public void start(Pool pool, Path store) throws Exception {
            pool.pairs().restore("p", false, false, image.length / 2); // about a second for the half to copy back
        }

        @Override
        public boolean onRecord(Pool pool) {
            try {
                return pool.pairs().query("p").get(0).state() != org.splitpoint.engine.pair.PairState.Split;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String finish(Pool pool, boolean started) throws Exception {
            var state = pool.pairs().query("p").get(0).state();
            if (started && state == org.splitpoint.engine.pair.PairState.Split) {
                return "pair p is Split though its restore had started";
            }
            return null;
        }
    }
}
