package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * A rebuild an opening starts again from the first track (a drive REBUILDING in pool.json with no
 * rebuild on record: PoolRecovery.restartUnrecordedRebuilds) cut under host writers, and the next
 * opening cut again: three openings per run, the pool on the injector (unforced writes land or not,
 * torn at 512 B for odd seeds; unsynced directory entries lost). The first opening's cut may fall
 * before or after the restart's record is durable, so a later opening either restarts it again or
 * resumes it from its record, both after a crash this time. The rebuild is throttled so that it runs
 * beside the writers. After every reopen v holds every acknowledged write; at the end the rebuild
 * runs out, the drive is ONLINE, the members agree, and v reads the same with d1 failed (what the
 * rebuilt drive holds is right). One cut run of RAID 5 and of RAID 3 by default, 16 runs of
 * each and of RAID 1 with {@code -Dsplitpoint.longTests=true}; {@code -Drebuildcut.only=LAYOUT:C1,C2,C3:SEED} runs one.
 */
class RebuildRestartedAtOpenCutTest {

    /** Four of the rebuild's steps (a megabyte of rows each) a drive, each a checkpoint a cut may follow. */
    private static final long DRIVE = 4L << 20;
    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private byte[] initial;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"RAID5", "RAID3", "RAID1"})
    void aRebuildStartedAgainAtOpenCutAgainLosesNoAcknowledgedWrite(Layout layout) throws Exception {
        // normal mode: RAID 5 and RAID 3, one cut run each; long mode: RAID 1 too
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("splitpoint.longTests") || layout != Layout.RAID1,
                "a long-mode layout");
        Path template = template(layout);
        CutRuns.multiCut("RebuildRestartedAtOpenCutTest", "rebuildcut.only", layout.name(), tmp.resolve(layout.name()),
                3, 1, 16, (runDir, cuts, seed) -> run(layout, template, runDir, cuts, seed));
    }

    /** v of {@code layout} over d1..d3 (d1, d2 for RAID 1) with random bytes, its last drive REBUILDING by hand, its image scribbled. */
    private Path template(Layout layout) throws Exception {
        Path dir = tmp.resolve("template-" + layout);
        int n = layout == Layout.RAID1 ? 2 : 3;
        Pool.create(dir, n, DRIVE, TRACK, StorageFactory.real());
        List<String> drives = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            drives.add("d" + i);
        }
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", layout, drives, 0);
            initial = new byte[(int) p.volume("v").size()];
            new Random(13).nextBytes(initial);
            p.device("v").write(0, ByteBuffer.wrap(initial));
        }
        Path json = dir.resolve("pool.json");
        ObjectNode body = (ObjectNode) CheckedJson.MAPPER.readTree(Files.readAllBytes(json)).get("body");
        for (JsonNode d : body.get("drives")) {
            if (d.get("name").asText().equals("d" + n)) {
                ((ObjectNode) d).put("state", "REBUILDING");
            }
        }
        CheckedJson.write(StorageFactory.real(), json, PoolConfig.MAGIC, PoolConfig.VERSION, body);
        try (FileChannel ch = FileChannel.open(dir.resolve("drives/d" + n + ".img"), StandardOpenOption.WRITE)) {
            byte[] junk = new byte[(int) DRIVE];
            new Random(14).nextBytes(junk);
            ch.write(ByteBuffer.wrap(junk), 0); // every row wrong until rebuilt: a rebuilt row lost shows
        }
        return dir;
    }

    private long[] run(Layout layout, Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String name = layout + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        String last = "d" + (layout == Layout.RAID1 ? 2 : 3);
        long[] writes = new long[cuts.length];
        AckOracle v = new AckOracle(initial);
        for (int k = 0; k < cuts.length; k++) {
            String what = name + ", opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            HostWriters hw = null;
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                pool.jobs().forEach(j -> j.setThrottle(2L << 20)); // the rebuild runs beside the writers
                assertThat(pool.snapshot().drive(last).state()).as(what + ": " + last).isIn(DriveState.REBUILDING, DriveState.ONLINE);
                assertThat(v.check(ResumedJobCutAgainTest.readAll(pool.device("v")))).as(what + ": v as reopened").isNull();
                hw = new HostWriters(3, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v"))).span(256);
                v = hw.model;
                hw.start(pool, seed * 100 + k * 10, 40, inj::isCut);
                hw.join();
                if (!inj.isCut()) {
                    hw.flushed(pool);
                    Thread.sleep(600); // the rebuild steps on with no host flush to force what it wrote
                }
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            if (hw != null) {
                hw.join();
                assertThat(hw.failure.get()).as(what).isNull();
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
        }
        String what = name + ", finished";
        try (Pool p = Pool.open(dir)) {
            assertThat(v.check(ResumedJobCutAgainTest.readAll(p.device("v")))).as(what + ": v as reopened").isNull();
            CutRuns.finishJobs(p, what);
            assertThat(p.snapshot().drive(last).state()).as(what + ": " + last).isEqualTo(DriveState.ONLINE);
            assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
            byte[] whole = ResumedJobCutAgainTest.readAll(p.device("v"));
            assertThat(v.check(whole)).as(what + ": v rebuilt").isNull();
            p.admin().failDrive("d1");
            TestPools.assertSameBytes(ResumedJobCutAgainTest.readAll(p.device("v")), whole,
                    what + ": v with d1 failed, read from the rebuilt " + last);
        }
        TestPools.deleteDir(runDir);
        return writes;
    }
}
