package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
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
 * A cancelled establish leaves the BCV partly copied: the tracks copied hold the STD's data of now,
 * the rest the old point-in-time image. It made the pair Split again, under the old split's time,
 * and a restore from it was accepted (seen by hand in the app, and with the CLI: cancel, then
 * 'pair restore' started "1997 tracks to restore"): the STD got the old image's tracks back beside
 * the new ones, an image of no instant. The pair now stays SyncInProg with its copy stopped, as a
 * crash during the establish leaves it, but its copy does not resume at the next opening as a crashed
 * one does: a restore and a split are refused, saying why, across a reopen too, and the next establish
 * finishes the copy, without the cancelled one's limit.
 */
class CancelledEstablishTest {

    private static final int TRACK = 65536;

    @TempDir
    Path dir;

    @Test
    void aCancelledEstablishLeavesNoImageToRestoreOrSplitUntilAnEstablishFinishesIt() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 8 << 20, TRACK, 1);
        byte[] now = TestPools.filled(8 << 20, 0x22);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            std.write(0, ByteBuffer.wrap(TestPools.filled(8 << 20, 0x11)));
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            std.write(0, ByteBuffer.wrap(now)); // every track changed on the STD since the split
            std.flush();

            Job establish = pool.pairs().establish("p1", true, 256_000); // 8 MiB at 256 KB/s: cancelled part-way
            org.awaitility.Awaitility.await().until(() -> establish.progress().doneTracks() >= 4);
            establish.cancel();
            assertThat(establish.await(30_000)).isTrue();
            assertThat(establish.state()).isEqualTo(JobState.CANCELLED);
            refusedWhileCopiedInPart(pool);
        }
        try (Pool pool = Pool.open(dir)) { // on record: the same after a reopen
            refusedWhileCopiedInPart(pool);
            Job again = pool.pairs().establish("p1", false);
            assertThat(again.progress().throttle()).as("a new operation: the cancelled one's limit is not its own").isZero();
            assertThat(again.await(60_000)).as("an establish finishes the copy").isTrue();
            assertThat(pool.pairs().query("p1").get(0).state()).isEqualTo(PairState.Synchronized);
            pool.pairs().split(List.of("p1"));
            byte[] bcv = new byte[8 << 20];
            pool.device("bcv").read(0, ByteBuffer.wrap(bcv));
            assertThat(Arrays.equals(bcv, now)).as("the BCV is the STD's image at the split").isTrue();
        }
    }

    private static void refusedWhileCopiedInPart(Pool pool) throws Exception {
        PairAdmin.PairView v = pool.pairs().query("p1").get(0);
        assertThat(v.state()).as("no point-in-time image: not Split").isEqualTo(PairState.SyncInProg);
        assertThat(v.job()).as("its copy stopped").isNull();
        assertThat(v.stdInvalidTracks()).as("the tracks not copied").isBetween(1L, 124L);
        assertThatThrownBy(() -> pool.pairs().restore("p1", false, true)).hasMessage("pair p1 is establishing (SyncInProg)"
                + " and its copy is not running: bcv holds a partly copied image, no point-in-time copy to restore from;"
                + " establish it to finish the copy, then split");
        assertThatThrownBy(() -> pool.pairs().split(List.of("p1"))).hasMessageContaining("its copy is not running");
        assertThatThrownBy(() -> pool.device("bcv").write(0, ByteBuffer.wrap(new byte[4096])))
                .hasMessageContaining("a BCV is writable only while the pair is Split");
    }
}
