package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * An instant restore's bulk copy writes tracks to a volume whose drive d1 then fails a flush for
 * want of space, dropping the copy's writes (refills: no write-intent bit). The flush's commit of
 * the copied tracks must not happen then, and a later flush that succeeds must have given d1 the
 * tracks again from the others before it commits them: after a power cut the reopened volume
 * reads as the backup's image, and its drives agree.
 */
class RestoreTargetLossTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID5"})
    void copiedTracksAreCommittedOnlyAfterAFlushThatLostNoneOfThem(Layout layout) throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), layout, layout == Layout.RAID1 ? 2 : 3, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            image = new byte[(int) v.size()];
            new Random(7).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            byte[] other = new byte[image.length];
            new Random(8).nextBytes(other);
            v.write(0, ByteBuffer.wrap(other));
            v.flush();
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false)); // the bulk copy stepped by hand
        Job bulk = pool.instantRestores().restore("v", store, null, false, 64L * TRACK); // 16 tracks a step
        InstantRestore r = pool.instantRestores().restoreOf("v");
        assertThat(bulk.stepOnce()).isTrue();
        long copied = r.currentTracks();
        assertThat(copied).as("tracks the first step copied").isPositive();
        inj.failForcesNoSpace(f -> f.getFileName().toString().equals("d1.img"), 1);
        assertThatThrownBy(r::flush).as("the commit whose flush lost d1's copies").isInstanceOf(IOException.class);
        r.flush(); // heals d1 from the others, then commits
        inj.cutNow();
        inj.crash();
        pool.abandon();
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.instantRestores().restoreOf("v")).as("the restore, resumed and done").isNull();
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            byte[] got = new byte[image.length];
            q.device("v").read(0, ByteBuffer.wrap(got));
            assertThat(Arrays.mismatch(got, image)).as("first byte unlike the backup's image (%d tracks committed before the cut)",
                    copied).isEqualTo(-1);
        }
    }
}
