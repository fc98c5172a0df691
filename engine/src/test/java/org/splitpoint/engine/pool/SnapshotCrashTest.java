package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * Power cuts after every write index during copy on first write and during a restore to a
 * snapshot (issue 10): host writers on three threads with flushes and reads, a snapshot taken
 * between their writes, a clean close and a reopen, a delete, a restore with its safety snapshot
 * while the writers go on, the copy's checkpoints on their own thread, and a third opening. After
 * the crash (unforced writes land or not, directory entries not synced are lost) the pool opens,
 * finishes what it was doing, and: the volume holds every acknowledged write (over the snapshot's
 * image if the restore had begun); every snapshot that exists reads exactly its image as of its
 * instant, allowing only what a flush had not yet acknowledged; nothing names a slot twice.
 */
class SnapshotCrashTest {

    static final int TRACK = 4096;
    static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private byte[] initial;
    private byte[] atS1;
    private byte[] atS2;

    /** v with random bytes, the save area, s1, more writes, s2 (so saves are shared and not). */
    private Path template() throws Exception {
        // a save area of 4 times the volume: s1, s2, s3 and the safety snapshot never fill it (a full
        // area is SnapshotBehaviourTest's; here every snapshot must stay valid)
        Path dir = SnapshotPools.create(tmp.resolve("template"), TRACK, 1L << 20, 5);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            initial = new byte[(int) p.volume("v").size()];
            new Random(5).nextBytes(initial);
            p.device("v").write(0, ByteBuffer.wrap(initial));
            p.snapshots().create("v", "s1");
            atS1 = initial.clone();
            Random r = new Random(6);
            for (int i = 0; i < 40; i++) {
                int len = 1 + r.nextInt(3 * TRACK);
                int off = r.nextInt(atS1.length - len);
                byte[] d = new byte[len];
                r.nextBytes(d);
                p.device("v").write(off, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, initial, off, len);
            }
            p.snapshots().create("v", "s2");
            atS2 = initial.clone();
        }
        return dir;
    }

    @Test
    void aPowerCutAnywhereLosesNoAcknowledgedWriteAndNoSnapshotsImage() throws Exception {
        Path template = template();
        long total = run(template, tmp.resolve("count"), 0, 1);
        cutsSpreadOver("SnapshotCrashTest", total, 24,
                (cut, seed) -> run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed));
    }

    /**
     * Runs {@code run} after each of {@code points} write indexes spread over a run of {@code total}
     * writes (14 with CI=true, every index with -Dsplitpoint.longTests=true), two crash seeds each
     * ({@code 1000 * n + cut}).
     */
    static void cutsSpreadOver(String test, long total, int points, BackupTest.CutRun run) throws Exception {
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int n = all ? (int) total : "true".equals(System.getenv("CI")) ? 14 : points;
        System.out.println(test + ": a run writes " + total + " times; cutting at " + n + " of them, 2 seeds each");
        for (int i = 1; i <= n; i++) {
            long cut = all ? i : Math.max(1, total * i / n - (i % 3));
            for (int seed = 1; seed <= 2; seed++) {
                run.run(cut, seed * 1000L + cut);
            }
        }
    }

    /** One run; returns the writes counted (a run without a cut counts them all). */
    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 3) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        HostWriters phase1 = new HostWriters(WRITERS, TRACK, initial).span(60);
        AckOracle atS3 = null;
        boolean s3Taken = false;
        boolean s1Deleted = false;
        HostWriters phase2 = null;
        AckOracle safety = null;
        boolean restoreStarted = false;
        String safetyName = null;
        Pool pool = null;
        try {
            // opening 1: writes, a snapshot between them, more writes (copy on first write from three threads)
            pool = Pool.open(dir, inj);
            phase1.start(pool, seed, 20, inj::isCut);
            phase1.join();
            atS3 = phase1.model.copy();
            phase1.alsoFlushed.add(atS3);
            pool.snapshots().create("v", "s3");
            s3Taken = true;
            phase1.start(pool, seed + 7, 30, inj::isCut);
            phase1.join();
            phase1.closed(pool); // and s3's image, in phase1.alsoFlushed
            // opening 2: delete s1, restore to s2 with a safety snapshot while the writers go on
            pool = Pool.open(dir, inj);
            pool.snapshots().delete("v", "s1");
            s1Deleted = true;
            safety = phase1.model.copy();
            Job job = pool.snapshots().restore("v", "s2", true, 40L * TRACK);
            restoreStarted = true;
            safetyName = pool.snapshots().restoreRecordOf("v").safety();
            phase2 = new HostWriters(WRITERS, TRACK, atS2).span(60);
            phase2.start(pool, seed + 13, 25, inj::isCut);
            phase2.join();
            job.setThrottle(0);
            job.await(30_000);
            phase2.closed(pool);
            // opening 3: a few more writes
            pool = Pool.open(dir, inj);
            phase2.start(pool, seed + 17, 10, inj::isCut);
            phase2.join();
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, "cut " + cut);
        }
        assertThat(phase1.failure.get()).as("cut %d seed %d, first opening", cut, seed).isNull();
        if (phase2 != null) {
            assertThat(phase2.failure.get()).as("cut %d seed %d, during the restore", cut, seed).isNull();
        }
        long writes = CutRuns.crash(inj, pool);
        try (Pool p = Pool.open(dir)) {
            String at = "cut " + cut + " seed " + seed + ": ";
            boolean restoring = p.snapshots().restoreOf("v") != null;
            if (restoring) { // the holder's start says what it resumed (serve prints these notes)
                assertThat(p.openNotes()).as(at + "the open notes").anyMatch(n -> n.matches(
                        "restore of v to snapshot v@s2 resumed: \\d+ tracks? still to restore"));
            }
            p.jobs().forEach(j -> j.setThrottle(0));
            p.awaitJobs(null);
            assertThat(p.snapshots().restoreOf("v")).as(at + "the restore finished after the reopen").isNull();
            byte[] vol = TestPools.readAll(p.volume("v"));
            if (restoreStarted || restoring) {
                AckOracle after = phase2 != null ? phase2.model : new AckOracle(atS2);
                assertThat(after.check(vol)).as(at + "the volume over snapshot s2's image").isNull();
            } else {
                assertThat(phase1.model.check(vol)).as(at + "the volume").isNull();
            }
            assertThat(read(p, "s2")).as(at + "s2").isEqualTo(atS2);
            if (p.snapshots().list("v").stream().anyMatch(i -> i.name().equals("s1"))) {
                assertThat(s1Deleted).as(at + "s1 exists only if its delete had not returned").isFalse();
                assertThat(read(p, "s1")).as(at + "s1").isEqualTo(atS1);
            }
            boolean hasS3 = p.snapshots().list("v").stream().anyMatch(i -> i.name().equals("s3"));
            assertThat(hasS3 || !s3Taken).as(at + "s3 was taken").isTrue();
            if (hasS3) {
                assertThat(atS3.check(read(p, "s3"))).as(at + "s3").isNull();
            }
            for (SnapshotAdmin.Info i : p.snapshots().list("v")) {
                assertThat(i.state()).as(at + i.ref() + " " + i.why()).isEqualTo(SnapshotAdmin.VALID);
                if (i.name().startsWith("before-restore")) {
                    assertThat(safetyName == null || safetyName.equals(i.name())).isTrue();
                    assertThat(safety == null ? phase1.model.check(read(p, i.name())) : safety.check(read(p, i.name())))
                            .as(at + "the safety snapshot").isNull();
                }
            }
            if (restoreStarted) {
                String sn = safetyName;
                assertThat(p.snapshots().list("v").stream().anyMatch(i -> i.name().equals(sn)))
                        .as(at + "the safety snapshot of a restore that started").isTrue();
            }
            assertThat(p.admin().verify("v", false, null)).isZero();
            assertThat(p.admin().verify("save", false, null)).isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** Snapshot {@code snapshot} of volume v, read whole. */
    static byte[] read(Pool p, String snapshot) throws Exception {
        var dev = p.snapshots().reader("v", snapshot);
        byte[] b = new byte[(int) dev.size()];
        dev.read(0, ByteBuffer.wrap(b));
        return b;
    }
}
