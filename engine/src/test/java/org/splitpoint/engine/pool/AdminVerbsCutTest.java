package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A power cut anywhere in a script of the administrator's verbs that no other cut test runs as its
 * subject: drive add, volume create, pair create, establish, split, pair delete, volume delete,
 * drive add again, a drill (d2 OFFLINE, its data logged, and back), while three host writers write, flush and read volume v, and a pair's copy
 * ending writes pool.json from its own thread. After the crash the pool must open (pool.json as
 * the engine wrote it passes the open's cross-checks), v hold every acknowledged write, every drive
 * be in one volume at most, and the verbs work again on what is left: a pair left on record deleted,
 * the volumes left deleted, a drive added, a volume made over two SPARE drives, and the pool opened
 * once more.
 *
 * <p>{@code -Dsplitpoint.longTests=true} cuts at every write index.
 */
class AdminVerbsCutTest {

    private static final long DRIVE = 1L << 20;
    private static final int TRACK = 16 * 1024;

    @TempDir
    Path tmp;

    private byte[] initial;

    /** RAID 5 v over d1..d3 holding random bytes, and SPARE drives d4..d7. */
    private Path template() throws Exception {
        Path dir = TestPools.create(tmp.resolve("template"), Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool p = Pool.open(dir)) {
            for (int i = 0; i < 4; i++) {
                p.admin().addDrive(0);
            }
            initial = new byte[(int) p.volume("v").size()];
            new Random(5).nextBytes(initial);
            p.device("v").write(0, ByteBuffer.wrap(initial));
        }
        return dir;
    }

    @Test
    void aPowerCutAnywhereInTheAdministratorsVerbsLeavesAPoolThatOpensWithEveryAcknowledgedWrite() throws Exception {
        Path template = template();
        long total = run(template, tmp.resolve("count"), 0, 1);
        SnapshotCrashTest.cutsSpreadOver("AdminVerbsCutTest", total, 9,
                (cut, seed) -> run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed));
    }

    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        HostWriters w = new HostWriters(3, TRACK, initial);
        String what = "cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            w.start(pool, seed, 40, inj::isCut);
            script(pool);
            w.join();
            w.flushed(pool);
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, w, pool, what);
        if (cut == 0) {
            return writes;
        }
        try (Pool p = Pool.open(dir, StorageFactory.real())) {
            // a return on record is resumed by the open as a job, and d2 stays OFFLINE until it ends:
            // 'online' then would be refused as already coming back (h145 met it in DrillEndedEarlyCutTest)
            p.awaitJobs(null);
            if (p.snapshot().drive("d2").state() == DriveState.OFFLINE) { // the drill's window, on record
                p.service().online("d2");
            }
            p.awaitJobs(null);
            assertThat(p.snapshot().drive("d2").state()).as(what + ": d2 back").isEqualTo(DriveState.ONLINE);
            check(p, w, what + ": opened after the crash");
            for (var pr : p.pairs().query(null)) {
                p.pairs().delete(pr.name(), true);
            }
            for (String v : List.of("a", "b")) {
                if (p.volumes.containsKey(v)) {
                    p.admin().deleteVolume(v);
                }
            }
            String added = p.admin().addDrive(0);
            List<String> spares = p.snapshot().drives().stream().filter(d -> d.state() == DriveState.SPARE)
                    .map(d -> d.name()).toList();
            assertThat(spares).as(what + ": SPARE drives, " + added + " among them").contains(added).hasSizeGreaterThanOrEqualTo(5);
            p.admin().createVolume("c", Layout.RAID1, spares.subList(0, 2), 0);
            p.device("c").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x5c)));
        }
        try (Pool p = Pool.open(dir, StorageFactory.real())) {
            check(p, w, what + ": opened again");
            byte[] c = new byte[TRACK];
            p.device("c").read(0, ByteBuffer.wrap(c));
            TestPools.assertSameBytes(c, TestPools.filled(TRACK, 0x5c), what + ": volume c");
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** The verbs, in order; writers go on meanwhile. */
    private static void script(Pool pool) throws Exception {
        pool.admin().addDrive(0); // d8
        pool.admin().createVolume("a", Layout.RAID1, List.of("d4", "d5"), 0);
        pool.admin().createVolume("b", Layout.RAID1, List.of("d6", "d7"), 0);
        pool.device("a").write(0, ByteBuffer.wrap(TestPools.filled(3 * TRACK, 0x3a)));
        pool.pairs().create("pr", "a", "b");
        Job j = pool.pairs().establish("pr", false);
        assertThat(j.await(60_000)).isTrue();
        pool.pairs().split(List.of("pr"));
        pool.pairs().delete("pr", false);
        pool.admin().deleteVolume("b");
        pool.admin().deleteVolume("a");
        pool.admin().addDrive(0); // d9
        // a drill without a second failure: d2 OFFLINE with its data logged while the writers write, then back
        Drill.Result r = Drill.run(pool, new Drill.Plan("v", "d2", OfflineReason.RESET, LogMode.DATA, Duration.ofMillis(200),
                null, false), (step, detail) -> { });
        assertThat(r.severity()).as(r.summary()).isEqualTo(org.splitpoint.engine.event.Severity.INFO);
    }

    /** v holds every acknowledged write, its members agree, and no drive is in two places. */
    private static void check(Pool p, HostWriters w, String what) throws Exception {
        assertThat(w.model.check(TestPools.readAll(p.volume("v")))).as(what + ": v").isNull();
        assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
        Map<String, String> place = new HashMap<>();
        for (PoolConfig.VolumeRecord v : Pool.copy(p.volumeRecords)) {
            for (String d : v.drives()) {
                assertThat(place.put(d, v.name())).as(what + ": drive " + d + " in volume " + v.name()).isNull();
            }
        }
    }
}
