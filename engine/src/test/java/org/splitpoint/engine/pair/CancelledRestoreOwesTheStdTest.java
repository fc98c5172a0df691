package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.Pool;

/**
 * A cancelled restore leaves its tracks not restored as the STD's changes, not the BCV's. They hold
 * the STD's own bytes; counted as the BCV's (its bits while restoring), a protected BCV nothing had
 * written showed "71 tracks changed", and the establish's confirmation said "what was written to
 * prod-bcv since the split (71 tracks) is lost" (seen by hand after cancelling a protected restore
 * of the demo's pair). What an incremental copy copies (either side's tracks) is unchanged, across
 * a reopen too, and a second restore brings the STD back to the BCV's image.
 */
class CancelledRestoreOwesTheStdTest {

    private static final int TRACK = 65536;

    @TempDir
    Path dir;

    @Test
    void theTracksACancelledRestoreDidNotCopyAreTheStdsChanges() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 8 << 20, TRACK, 1);
        byte[] image = TestPools.filled(8 << 20, 0x11);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            std.write(0, ByteBuffer.wrap(image));
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            std.write(0, ByteBuffer.wrap(TestPools.filled(64 * TRACK, 0x22))); // 64 tracks changed on the STD
            std.flush();

            Job restore = pool.pairs().restore("p1", false, true, 256_000); // 4 MiB at 256 KB/s: cancelled part-way
            org.awaitility.Awaitility.await().until(() -> restore.progress().doneTracks() >= 4);
            restore.cancel();
            assertThat(restore.await(30_000)).isTrue();
            assertThat(restore.state()).isEqualTo(JobState.CANCELLED);

            PairAdmin.PairView v = pool.pairs().query("p1").get(0);
            assertThat(v.state()).isEqualTo(PairState.Split);
            assertThat(v.bcvInvalidTracks()).as("nothing wrote to the protected BCV").isZero();
            assertThat(v.stdInvalidTracks()).as("the tracks not restored").isBetween(1L, 60L);
        }
        try (Pool pool = Pool.open(dir)) { // on record: the same after a reopen, and a restore finishes the job
            PairAdmin.PairView v = pool.pairs().query("p1").get(0);
            assertThat(v.bcvInvalidTracks()).isZero();
            assertThat(v.stdInvalidTracks()).isBetween(1L, 60L);
            assertThat(pool.pairs().restore("p1", false, true).await(60_000)).isTrue();
            byte[] back = new byte[64 * TRACK];
            pool.device("std").read(0, ByteBuffer.wrap(back));
            assertThat(back).isEqualTo(java.util.Arrays.copyOf(image, 64 * TRACK));
            assertThat(pool.pairs().query("p1").get(0).stdInvalidTracks()).isZero();
        }
    }
}
