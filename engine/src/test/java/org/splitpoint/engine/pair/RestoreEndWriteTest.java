package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * An unprotected restore's last look found nothing owed and no track written to the STD alone,
 * and ended the pair Restored; a host write to a restored track between that look and the end (the
 * restore's last checkpoint flushing the STD) went to the STD alone, as a write during a restore
 * does, and marked its track. The pair then said Restored (both sides the same) with a track the
 * BCV lacked, and its split was refused ("its BCV missed writes"), PairCopyCutAgainTest's "failed
 * without a cut" (1 run in 40 there). The restore's end copies such tracks first, as its catch-up does.
 */
class RestoreEndWriteTest {

    @TempDir
    Path dir;

    private static final int TRACK = 64 * 1024;
    /** Owed by the restore (the STD changed them since the split). */
    private static final long T1 = 2;
    private static final long T2 = 9;
    /** Not owed: written by the host while the restore's last checkpoint flushes the STD. */
    private static final long W = 5;

    @Test
    void aHostWriteAtAnUnprotectedRestoresEndReachesTheBcvBeforeThePairSaysRestored() throws Exception {
        PairFixture.splitWithTrackOwed(dir, TRACK, T1); // std on d1, d2; bcv on d3, d4; all 0x11, T1 0x22 on the STD
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj, new PoolOptions(false)); // the copy stepped by hand
        try {
            Pair pair = pool.pairs().get("p1");
            pair.stdView().write(T2 * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33))); // split: marked, owed
            Job restore = pool.pairs().restore("p1", false, false, TRACK); // a track a step
            assertThat(restore.stepOnce()).as("the first step restores one track of two").isTrue();
            Runnable[] flushGoes = new Runnable[1];
            Thread host = new Thread(() -> {
                try {
                    inj.awaitHeld(1); // the last step restored the last track; its checkpoint flushes the STD
                    pair.stdView().write(W * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                } finally {
                    flushGoes[0].run();
                }
            }, "host-writer");
            // the STD's forces (on its members' I/O threads) wait until the host's write is in
            flushGoes[0] = inj.holdReleasable(FaultInjector.Op.ANY,
                    f -> f.getFileName().toString().equals("d1.img"), t -> t != host, 60_000);
            host.start();
            while (restore.stepOnce()) {
                // to its end
            }
            host.join();
            assertThat(restore.state()).as("%s", restore.progress()).isEqualTo(JobState.DONE);
            assertThat(pair.state()).isEqualTo(PairState.Restored);
            assertThat(pair.stdInvalid().count()).as("tracks the BCV lacks, the pair saying Restored").isZero();
            pool.pairs().split(List.of("p1"));
            assertThat(TestPools.only(read(pool, "bcv", W))).as("track %d of the BCV split after the restore", W).isEqualTo(0x55);
            assertThat(TestPools.only(read(pool, "std", W))).as("track %d of the STD", W).isEqualTo(0x55);
            assertThat(TestPools.only(read(pool, "std", T1))).as("track %d of the STD, restored", T1).isEqualTo(0x11);
            assertThat(TestPools.only(read(pool, "std", T2))).as("track %d of the STD, restored", T2).isEqualTo(0x11);
        } finally {
            inj.releaseHolds();
            pool.close();
        }
    }

    private static byte[] read(Pool pool, String volume, long track) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device(volume).read(track * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
