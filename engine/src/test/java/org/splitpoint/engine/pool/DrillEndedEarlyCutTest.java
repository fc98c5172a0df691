package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;

/**
 * A drill ended early ({@link Drill#endNow}) while an incremental establish of the volume's pair
 * copies and host writers write, flush and read, cut at a random write index, and cut again: three
 * openings per run, the pool on the injector (unforced writes land or not, torn at 512 B for odd
 * seeds; unsynced directory entries lost). Volume v (RAID 3 or RAID 5 over d1..d3) is the STD of
 * pair p (BCV w, the same layout over d4..d6). In each opening a drill takes d2 OFFLINE for a
 * firmware update (its steps quick here, so the end comes in the window's writes, now and then in
 * the steps) with its writes in the scene's log mode (a repository: a file in meta/, no SPARE being free) and a
 * minute planned; the writers write while d2 is out, the drill is ended early, and the
 * writers go on through d2's return and its delta's resync while the copy still runs.
 *
 * <p>After every reopen: d2, OFFLINE in its window on record, comes back; the jobs resumed run to
 * their end; v holds every acknowledged write, its members agree, and w, Synchronized, reads as v.
 * No other test ended a drill early under a cut, nor ran a drill beside a pair copy of its volume.
 * One cut run of two scenes by default (RAID 5 by data, RAID 3 by pointers), 16 runs of all six
 * with {@code -Dsplitpoint.longTests=true};
 * {@code -Ddrillendcut.only=SCENE:C1,C2,C3:SEED} runs one.
 */
@QuickServiceSteps
class DrillEndedEarlyCutTest {

    private static final long DRIVE = 1L << 20;
    private static final int TRACK = 16 * 1024;
    private static final int OPENINGS_CUT = 3;

    @TempDir
    Path tmp;

    private byte[] initial;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"RAID5, DATA", "RAID3, DATA", "RAID5, POINTERS", "RAID3, POINTERS", "RAID5, REPOSITORY", "RAID3, REPOSITORY"})
    void aDrillEndedEarlyBesideAPairCopyAndHostWritersCutAgainLosesNoAcknowledgedWrite(Layout layout, LogMode mode)
            throws Exception {
        String scene = layout + "-" + mode;
        // normal mode: two scenes (RAID 5 by data, RAID 3 by pointers), one cut run each; long mode: all six
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("splitpoint.longTests")
                || scene.equals("RAID5-DATA") || scene.equals("RAID3-POINTERS"), "a long-mode scene");
        Path template = template(layout);
        CutRuns.multiCut("DrillEndedEarlyCutTest", "drillendcut.only", scene, tmp.resolve(scene), OPENINGS_CUT, 1, 16,
                (runDir, cuts, seed) -> run(layout, mode, template, runDir, cuts, seed));
    }

    /** v and w of {@code layout} over d1..d3 and d4..d6, v random, pair p established and split. */
    private Path template(Layout layout) throws Exception {
        Path dir = tmp.resolve("template-" + layout);
        Pool.create(dir, 6, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", layout, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("w", layout, List.of("d4", "d5", "d6"), 0);
            initial = new byte[(int) p.volume("v").size()];
            new Random(7).nextBytes(initial);
            p.device("v").write(0, ByteBuffer.wrap(initial));
            p.device("v").flush();
            p.pairs().create("p", "v", "w");
            assertThat(p.pairs().establish("p", true).await(60_000)).isTrue();
            p.pairs().split(List.of("p"));
        }
        return dir;
    }

    private long[] run(Layout layout, LogMode mode, Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String name = layout + " " + mode + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = new long[cuts.length];
        AckOracle v = new AckOracle(initial);
        for (int k = 0; k < cuts.length; k++) {
            String what = name + ", opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            HostWriters hw = null;
            Thread drill = null;
            AtomicReference<Object> drillEnd = new AtomicReference<>();
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                reopened(pool, v, inj, what);
                hw = new HostWriters(3, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v")));
                v = hw.model;
                long s = seed * 100 + k * 10;
                Job copy = pool.pairs().establish("p", false, 256 * 1024); // still copying as the drill runs
                Pool open = pool;
                drill = new Thread(() -> {
                    try {
                        drillEnd.set(Drill.run(open, new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, mode,
                                Duration.ofMinutes(1), null, false), (step, detail) -> { }));
                    } catch (Throwable e) {
                        drillEnd.set(e);
                    }
                }, "drill");
                drill.start();
                for (int i = 0; i < 1000 && !inj.isCut() && drillEnd.get() == null
                        && pool.snapshot().drive("d2").state() != DriveState.OFFLINE; i++) {
                    Thread.sleep(5);
                }
                hw.start(pool, s + 1, 30, inj::isCut);
                hw.join();
                endNow(pool, inj, drillEnd, what); // also after a cut: the drill's thread does not look at the power
                hw.start(pool, s + 2, 30, inj::isCut); // through d2's return and its resync
                hw.join();
                drill.join(120_000);
                Object end = drillEnd.get();
                if (end instanceof Throwable e) {
                    if (!inj.isCut()) {
                        throw new AssertionError(what + ": the drill failed without a cut: " + e, e);
                    }
                } else if (!inj.isCut()) {
                    Drill.Result r = (Drill.Result) end;
                    assertThat(r.endedEarly()).as(what + ": " + r.summary()).isTrue();
                    assertThat(r.bytesLost()).as(what + ": " + r.summary()).isZero();
                    assertThat(r.verifyMismatches()).as(what + ": " + r.summary()).isZero();
                }
                if (!inj.isCut()) {
                    hw.flushed(pool);
                    assertThat(copy.state().isFinished() || copy.state() == org.splitpoint.engine.job.JobState.RUNNING)
                            .as(what + ": the copy " + copy.state()).isTrue();
                }
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            if (hw != null) {
                hw.join();
                assertThat(hw.failure.get()).as(what).isNull();
            }
            if (drill != null) {
                endNow(pool, inj, drillEnd, what);
                drill.join(120_000);
                assertThat(drill.isAlive()).as(what + ": the drill still runs").isFalse();
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
        }
        try (Pool p = Pool.open(dir)) {
            reopened(p, v, null, name + ", finished");
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** Ends the drill's window unless the drill ended; refused only once its window is over, or after a cut. */
    private static void endNow(Pool pool, FaultInjector inj, AtomicReference<Object> drillEnd, String what) {
        if (pool == null || drillEnd.get() != null) {
            return;
        }
        try {
            assertThat(Drill.endNow(pool, "v")).contains("ends its window now");
        } catch (PoolException e) {
            if (!inj.isCut() && drillEnd.get() == null && !e.getMessage().contains("already past its window")) {
                throw new AssertionError(what + ": the end of the drill was refused: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The checks of a reopen: v as its acknowledged writes allow (read first, before this opening
     * writes anything but its recovery), d2 back if its window is on record, the jobs run to their end,
     * v's members agreeing, w Synchronized and reading as v; the pair is left split for the next
     * establish. {@code inj}: the opening's injector, whose cut may fall in these jobs or checks (then
     * an IOException, the cut's doing); null for the last opening, never cut.
     */
    private static void reopened(Pool pool, AckOracle v, FaultInjector inj, String what) throws Exception {
        byte[] bytes = ResumedJobCutAgainTest.readAll(pool.device("v"));
        assertThat(v.check(bytes)).as(what + ": v as reopened").isNull();
        try {
            // a return on record resumes at the open (its resync a job, d2 OFFLINE until it ends): waited
            // for first, or 'drive online' may find d2 ONLINE already
            pool.jobs().forEach(j -> j.setThrottle(0));
            pool.awaitJobs(null);
            if (!(inj != null && inj.isCut()) && pool.snapshot().drive("d2").state() == DriveState.OFFLINE) {
                pool.service().online("d2");
                pool.awaitJobs(null);
            }
            if (inj != null && inj.isCut()) {
                throw new java.io.IOException(what + ": the power was cut in the reopen's jobs");
            }
            CutRuns.finishJobs(pool, what);
            assertThat(pool.snapshot().drive("d2").state()).as(what + ": d2").isEqualTo(DriveState.ONLINE);
            bytes = ResumedJobCutAgainTest.readAll(pool.device("v"));
            assertThat(v.check(bytes)).as(what + ": v once d2 is back").isNull();
            assertThat(pool.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
            PairState st = pool.pairs().query("p").get(0).state();
            if (st == PairState.Split) {
                return; // the establish had not gone on record
            }
            assertThat(st).as(what + ": pair p").isEqualTo(PairState.Synchronized);
            TestPools.assertSameBytes(ResumedJobCutAgainTest.readAll(pool.device("w")), bytes,
                    what + ": w, Synchronized, against v");
            assertThat(pool.admin().verify("w", false, null)).as(what + ": w's members agree").isZero();
            pool.pairs().split(List.of("p"));
        } catch (AssertionError e) {
            if (inj != null && inj.isCut()) {
                throw new java.io.IOException(what + ": the power was cut in the reopen's checks", e);
            }
            throw e;
        }
    }
}
