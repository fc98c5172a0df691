package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * A restore's last commit writes its clears without a force of its own (the end records the pair's
 * state next). A host write to a track that commit cleared, between the commit and the end, went to
 * the STD alone without a commit of its own (the track's clear looked durable), and the host's flush
 * then forced the STD but not the clears: a power cut before the end's record left the restore on
 * record with the track owed again, so the reopened v read the BCV's old track and the resumed
 * restore copied it over the acknowledged write (PairCopyCutAgainTest, 'v as reopened', 1 long run
 * of the class in 8 or so).
 */
class RestoreLastCommitWriteTest {

    @TempDir
    Path dir;

    private static final int TRACK = 64 * 1024;
    /** The one track the restore owes (the STD changed it since the split). */
    private static final long T = 2;

    @ParameterizedTest(name = "protected {0}")
    @ValueSource(booleans = {true, false})
    void aWriteAfterARestoresLastCommitAndFlushedSurvivesAPowerCutBeforeItsEnd(boolean protect) throws Exception {
        PairFixture.splitWithTrackOwed(dir, TRACK, T); // std on d1, d2; bcv on d3, d4; all 0x11, T 0x22 on the STD
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false, false)); // the copy stepped by hand
        Thread host = Thread.currentThread();
        Thread stepper = null;
        try {
            Pair pair = pool.pairs().get("p1");
            Job restore = pool.pairs().restore("p1", false, protect, TRACK);
            // the copy's forces of the STD (on its members' threads) wait: the last checkpoint's data flush
            Runnable forcesGo = inj.holdReleasable(FaultInjector.Op.ANY,
                    f -> f.getFileName().toString().equals("d1.img"), t -> t != host, 60_000);
            stepper = new Thread(() -> {
                while (restore.stepOnce()) {
                    // to its end, or the power's
                }
            }, "restore-stepper");
            synchronized (restore) { // the job's end waits here, after its last checkpoint
                stepper.start();
                inj.awaitHeld(1);
                assertThat(pair.bcvInvalidTracks()).as("tracks left to restore at the last checkpoint").isZero();
                forcesGo.run();
                for (int i = 0; i < 2000 && !waitsAtTheEnd(stepper); i++) {
                    Thread.sleep(5); // the last checkpoint flushes the STD and commits its clears
                }
                assertThat(waitsAtTheEnd(stepper)).as("the restore's end waits, its last checkpoint done").isTrue();
                assertThat(pair.state()).isEqualTo(PairState.RestInProg);
                pair.stdView().write(T * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
                pair.stdView().flush(); // acknowledged
                inj.cutNow(); // before the restore's end is on record
            }
            stepper.join(60_000);
        } finally {
            inj.releaseHolds();
            inj.crash();
            pool.abandon();
        }
        try (Pool p = Pool.open(dir)) {
            // the opening resumes the restore at once: an unprotected one, every track restored, may be in its
            // catch-up already (SyncInProg, not on record) when this looks; a protected one has none
            PairState[] notEnded = protect ? new PairState[] {PairState.RestInProg}
                    : new PairState[] {PairState.RestInProg, PairState.SyncInProg};
            assertThat(p.pairs().get("p1").state()).as("the pair, its restore's end not on record").isIn((Object[]) notEnded);
            assertThat(TestPools.only(read(p, T))).as("track %d of v as reopened", T).isEqualTo(0x55);
            p.jobs().forEach(j -> j.setThrottle(0));
            p.awaitJobs(null);
            assertThat(TestPools.only(read(p, T))).as("track %d of v once the restore ended", T).isEqualTo(0x55);
        }
    }

    /** The stepper waits for the job's monitor in its end, after the last checkpoint. */
    private static boolean waitsAtTheEnd(Thread stepper) {
        if (stepper.getState() != Thread.State.BLOCKED) {
            return false;
        }
        for (StackTraceElement e : stepper.getStackTrace()) {
            if (e.getClassName().equals(Job.class.getName()) && e.getMethodName().equals("complete")) {
                return true;
            }
        }
        return false;
    }

    private static byte[] read(Pool pool, long track) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device("std").read(track * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
