package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.PairState;

/**
 * A pair's copy (an establish, a restore, a protected restore) cut, and cut again, under host
 * writers: four openings per run, the pool on the injector (unforced writes land or not, torn at
 * 512 B for odd seeds; unsynced directory entries lost). Pair p (STD v, BCV w, RAID 1) starts split,
 * both sides written since. In every opening writers write, flush and read: v and w while the pair is
 * split, v while it copies; the copy starts in the first opening (after the writers, flushed), the
 * pair is split once the copy ended, and the writers go on on both sides.
 *
 * <p>After every reopen: v reads as its acknowledged writes allow (the BCV's image once a restore is
 * on record); a split that returned is on record, and w reads as the STD's acknowledged bytes at the
 * split and its own writes since. At the end an incremental establish, then a split: w must be v
 * (every track either side wrote since the split was invalid, and copied). 8 runs a scene by default,
 * 40 with {@code -Dsplitpoint.longTests=true}; {@code -Dpaircut.only=SCENE:C1,C2,C3:SEED} runs one.
 */
@QuickServiceSteps
class PairCopyCutAgainTest {

    private static final int TRACK = 4096;
    private static final int WRITES = 20;
    private static final int OPENINGS_CUT = 3;

    @TempDir
    Path tmp;

    private byte[] vImage;
    private byte[] wImage;
    private int size;

    /** The deterministic runs' cut: at the first pass through this point of {@link #cutHere} ("start", "split"). */
    private String cutAt;
    private boolean cutDone;
    /** The injector of the opening under way (null in the last, uncut one). */
    private FaultInjector opening;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"establish", "restore", "protected-restore"})
    void aPairCopyCutAgainAndAgainLosesNoAcknowledgedWriteAndLeavesEveryChangedTrackInvalid(String scene) throws Exception {
        Path template = template();
        CutRuns.multiCut("PairCopyCutAgainTest", "paircut.only", scene, tmp, OPENINGS_CUT, 8, 40,
                (runDir, cuts, seed) -> run(scene, template, runDir, cuts, seed));
    }

    /**
     * The power cut just after the copy's start returned ("start"), or just after the split that
     * follows the copy returned ("split"), before the run had read what it keeps from then on (the
     * BCV's image as v after a restore's start; v's image as w after a split): the run then counted
     * the start or split done and kept the image before it, and the next reopen failed: 'v as
     * reopened' after a restore's start (v reads the BCV's tracks; one long run of the class in five
     * or more, at a cut among the copy's first writes), 'w as reopened' after a split (w holds what
     * the copy put on it). A test's mistake, not the product's. Otherwise each opening runs to its
     * end and is cut there.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"restore, start", "protected-restore, start", "establish, split", "restore, split"})
    void aCutJustAfterAStartOrSplitReturnedIsCheckedAgainstWhatItTookEffectWith(String scene, String point) throws Exception {
        Path template = template();
        cutAt = point;
        run(scene, template, tmp.resolve("cut-at-" + point), new long[OPENINGS_CUT], 1);
        assertThat(cutDone).as("the power was cut at the " + point).isTrue();
    }

    /** Cuts the power now if this is the deterministic run's point and it was not cut there yet. */
    private void cutHere(String point) {
        if (point.equals(cutAt) && !cutDone && opening != null) {
            cutDone = true;
            opening.cutNow();
        }
    }

    /** The pool every run starts from: pair p split, both sides written since. */
    private Path template() throws Exception {
        Path template = tmp.resolve("template");
        SnapshotPools.create(template, TRACK, 1 << 20);
        try (Pool pool = Pool.open(template)) {
            ResumedJobCutAgainTest.filled(pool.device("v"), 31);
            pool.device("v").flush();
            pool.pairs().create("p", "v", "w");
            assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p"));
            ResumedJobCutAgainTest.rewriteHalf(pool.device("v"), null, 32);
            pool.device("v").flush();
            vImage = ResumedJobCutAgainTest.readAll(pool.device("v"));
            wImage = ResumedJobCutAgainTest.readAll(pool.device("w"));
            size = vImage.length;
        }
        return template;
    }

    /** What a run knows across its openings. */
    private final class Run {
        final String scene;
        AckOracle v = new AckOracle(vImage);
        AckOracle w = new AckOracle(wImage);
        boolean started; // the copy's start returned, or was found on record
        boolean splitDone; // the split after the copy returned

        Run(String scene) {
            this.scene = scene;
        }

        boolean restores() {
            return !scene.equals("establish");
        }

        Job start(Pool pool) throws Exception {
            return switch (scene) {
                case "establish" -> pool.pairs().establish("p", false, size / 2);
                case "restore" -> pool.pairs().restore("p", false, false, size / 2);
                default -> pool.pairs().restore("p", false, true, size / 2);
            };
        }

        /**
         * The BCV's image, the restore's v (w's writes were flushed before the start, and w takes
         * none while its pair restores); read before the run may count the copy as started.
         */
        byte[] bcvImage(Pool pool) throws Exception {
            return restores() ? ResumedJobCutAgainTest.readAll(pool.pairs().get("p").bcv()) : null;
        }

        /**
         * The copy took effect: v is {@code bcvImage} from now on when it restores. No I/O here: a
         * cut in a read here had the run count the restore started with v's image before it, and
         * the next reopen fail on v.
         */
        void tookEffect(byte[] bcvImage) {
            if (restores()) {
                assertThat(w.check(bcvImage)).as(scene + ": w as the restore took effect").isNull();
                v = new AckOracle(bcvImage);
            }
            started = true;
        }
    }

    private static PairState state(Pool pool) throws Exception {
        return pool.pairs().query("p").get(0).state();
    }

    /** One run: {@code cuts[k]} is the write index at which opening k+1 is cut (0: at its end); returns the writes of each. */
    private long[] run(String scene, Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String name = scene + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = new long[cuts.length];
        Run r = new Run(scene);
        for (int k = 0; k < cuts.length; k++) {
            String what = name + ", opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            opening = inj;
            HostWriters wv = null;
            HostWriters ww = null;
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                PairState st = reopened(pool, r, what);
                long s = seed * 100 + k * 10;
                if (st == PairState.Split && !r.started) {
                    wv = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v"))).span(40);
                    ww = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("w"))).on("w").span(40);
                    wv.start(pool, s + 1, WRITES / 2, inj::isCut);
                    ww.start(pool, s + 2, WRITES / 2, inj::isCut);
                    wv.join();
                    ww.join();
                    wv.flushed(pool);
                    ww.flushed(pool);
                    r.v = wv.model;
                    r.w = ww.model;
                    wv = null;
                    ww = null;
                    byte[] bcv = r.bcvImage(pool); // before the start: the power may go just after it returned
                    Job copy = r.start(pool);
                    if ("split".equals(cutAt)) {
                        copy.setThrottle(0); // the copy ends, and the split comes, in this opening
                    }
                    cutHere("start");
                    r.tookEffect(bcv);
                    st = state(pool);
                }
                if (!r.splitDone) {
                    wv = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v"))).span(40);
                    wv.start(pool, s + 3, WRITES, inj::isCut);
                    wv.join();
                    for (int i = 0; i < ("split".equals(cutAt) ? 3000 : 50) && !inj.isCut() && !pool.jobs().stream().allMatch(j -> j.state().isFinished()); i++) {
                        Thread.sleep(10);
                    }
                    r.v = wv.model;
                    if (!inj.isCut() && pool.jobs().stream().allMatch(j -> j.state().isFinished())) {
                        wv.flushed(pool);
                        wv = null;
                        split(pool, r, what);
                    }
                }
                if (r.splitDone && !inj.isCut()) {
                    wv = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("v"))).span(40);
                    ww = new HostWriters(2, TRACK, ResumedJobCutAgainTest.readAll(pool.device("w"))).on("w").span(40);
                    wv.start(pool, s + 4, WRITES, inj::isCut);
                    ww.start(pool, s + 5, WRITES, inj::isCut);
                }
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            for (HostWriters h : new HostWriters[] {wv, ww}) {
                if (h != null) {
                    h.join();
                    assertThat(h.failure.get()).as(what).isNull();
                }
            }
            if (wv != null) {
                r.v = wv.model;
            }
            if (ww != null) {
                r.w = ww.model;
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
        }
        String what = name + ", finished";
        opening = null;
        try (Pool p = Pool.open(dir)) {
            reopened(p, r, what);
            CutRuns.finishJobs(p, what);
            if (!r.started) {
                byte[] bcv = r.bcvImage(p);
                Job j = r.start(p);
                r.tookEffect(bcv);
                j.setThrottle(0);
                assertThat(j.await(60_000)).isTrue();
                assertThat(j.state()).as(what + ": the copy").isEqualTo(JobState.DONE);
                assertThat(state(p)).as(what + ": the pair after its copy").isNotEqualTo(PairState.SyncInProg);
                assertThat(p.pairs().get("p").stdInvalidTracks()).as(what + ": tracks left to copy").isZero();
            }
            if (!r.splitDone) {
                split(p, r, what);
            }
            Job e = p.pairs().establish("p", false);
            assertThat(e.await(60_000)).as(what + ": the last establish").isTrue();
            assertThat(e.state()).as(what + ": the last establish").isEqualTo(JobState.DONE);
            p.pairs().split(List.of("p"));
            byte[] v = ResumedJobCutAgainTest.readAll(p.device("v"));
            assertThat(r.v.check(v)).as(what + ": v at the end").isNull();
            TestPools.assertSameBytes(ResumedJobCutAgainTest.readAll(p.device("w")), v,
                    what + ": w after an incremental establish and a split against v");
            assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
            assertThat(p.admin().verify("w", false, null)).as(what + ": w's members agree").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** The checks of a reopen; returns the pair's state. */
    private PairState reopened(Pool pool, Run r, String what) throws Exception {
        PairState st = state(pool);
        if (!r.started && st != PairState.Split) {
            r.tookEffect(r.bcvImage(pool)); // on record, though its start had not returned (a cut in the read: the next reopen reads it)
        }
        if (r.started && st == PairState.Split && r.scene.equals("protected-restore")) {
            r.splitDone = true; // a protected restore ends Split
        }
        if (r.splitDone) {
            assertThat(st).as(what + ": the pair, split before the cut").isEqualTo(PairState.Split);
        } else if (r.started && st == PairState.Split) {
            throw new AssertionError(what + ": pair p is Split though its copy had started and was never split");
        }
        assertThat(r.v.check(ResumedJobCutAgainTest.readAll(pool.device("v")))).as(what + ": v as reopened").isNull();
        if (st == PairState.Split) {
            byte[] w = ResumedJobCutAgainTest.readAll(pool.device("w"));
            assertThat(r.w.check(w)).as(what + ": w as reopened").isNull();
            assertThat(unmarkedDifferences(pool, ResumedJobCutAgainTest.readAll(pool.device("v")), w))
                    .as(what + ": tracks where v and w differ that neither side has invalid").isEmpty();
        }
        return st;
    }

    /** The tracks of split pair p whose bytes differ on its sides though neither side has them invalid. */
    private static List<Long> unmarkedDifferences(Pool pool, byte[] v, byte[] w) throws Exception {
        var pair = pool.pairs().get("p");
        List<Long> out = new java.util.ArrayList<>();
        for (long t = 0; t * TRACK < v.length; t++) {
            int a = (int) (t * TRACK);
            int b = Math.min(v.length, a + TRACK);
            if (!Arrays.equals(v, a, b, w, a, b) && !pair.stdInvalid().isSet(t) && !pair.bcvInvalid().isSet(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Splits p once its copy ended, no host write under way: w is the STD's bytes then (its own image
     * after a protected restore). v is read before the split, which changes nothing of it: read after
     * it, a cut in the read had the run count the split done with w's image before it.
     */
    private void split(Pool pool, Run r, String what) throws Exception {
        byte[] v = ResumedJobCutAgainTest.readAll(pool.device("v"));
        if (state(pool) != PairState.Split) { // a protected restore ends Split
            pool.pairs().split(List.of("p"));
        }
        if (!r.scene.equals("protected-restore")) {
            r.w = new AckOracle(v); // v's bytes as read (its oracle allows either bytes where a write was not acknowledged)
        }
        r.splitDone = true;
        cutHere("split");
        assertThat(r.v.check(v)).as(what + ": v at the split").isNull();
        assertThat(r.w.check(ResumedJobCutAgainTest.readAll(pool.device("w")))).as(what + ": w at the split").isNull();
    }
}
