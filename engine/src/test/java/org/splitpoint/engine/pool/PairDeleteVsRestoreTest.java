package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * An instant restore (from a backup or to a snapshot) of a pair's side writes through that side's
 * pair view, found when the restore began, until it ends. A pair deleted meanwhile went on
 * steering the restore's writes: a mirrored STD's restored tracks (and its hosts' writes) still
 * went to the BCV, independent by then, over what hosts wrote there. Each test tries the delete
 * while the restore runs (refused, naming the restore), deletes the pair once it ended, writes
 * the BCV as the independent volume it then is, and compares both volumes with what hosts expect,
 * then and after a reopen.
 */
class PairDeleteVsRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aPairDeletedWhileItsMirroredStdIsRestoredToASnapshotLeavesTheBcvAlone() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        byte[] snapshot;
        byte[] bcv;
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            snapshot = fill(pool, "v", 5);
            pool.snapshots().create("v", "s1");
            fill(pool, "v", 6); // every track changed since
            pool.pairs().create("p", "v", "w");
            assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
            Job restore = pool.snapshots().restore("v", "s1", false, TRACK); // a track a second
            bcv = deleteDuring(pool, restore, "volume v (the STD of pair p) is being restored from a snapshot; wait for"
                    + " that restore or cancel it before deleting the pair");
            TestPools.assertSameBytes(snapshot, hostsRead(pool, "v"), "the STD restored");
            TestPools.assertSameBytes(bcv, hostsRead(pool, "w"), "the BCV, independent");
        }
        try (Pool pool = Pool.open(dir)) {
            TestPools.assertSameBytes(snapshot, hostsRead(pool, "v"), "the STD restored, reopened");
            TestPools.assertSameBytes(bcv, hostsRead(pool, "w"), "the BCV, reopened");
        }
    }

    @Test
    void aPairDeletedWhileItsSplitStdIsRestoredFromABackupLeavesBothVolumesRight() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        Pool.create(dir, 4, 1 << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
        }
        byte[] backup = BackedUp.volume(dir, store, 3, true);
        byte[] bcv;
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().create("p", "v", "w");
            assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p"));
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK);
            bcv = deleteDuring(pool, restore, "volume v (the STD of pair p) is being restored from a backup; wait for"
                    + " that restore or cancel it before deleting the pair");
            TestPools.assertSameBytes(backup, hostsRead(pool, "v"), "the STD restored");
            TestPools.assertSameBytes(bcv, hostsRead(pool, "w"), "the BCV, independent");
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().query(null)).isEmpty();
            TestPools.assertSameBytes(backup, hostsRead(pool, "v"), "the STD restored, reopened");
            TestPools.assertSameBytes(bcv, hostsRead(pool, "w"), "the BCV, reopened");
        }
    }

    /**
     * Tries to delete pair p while {@code restore} runs: refused with {@code refusal}, also when its
     * copy may be stopped (that copy is the pair's, not the volume's restore). Deletes it once the
     * restore ended, then writes the BCV w whole as hosts do (seed 9). Returns w's bytes.
     */
    private static byte[] deleteDuring(Pool pool, Job restore, String refusal) throws Exception {
        assertThat(pool.pairs().whyNotDelete("p", false)).isEqualTo(refusal);
        assertThatThrownBy(() -> pool.pairs().delete("p", true)).isInstanceOf(PoolException.class).hasMessage(refusal);
        finish(restore);
        assertThat(pool.pairs().whyNotDelete("p", false)).isNull();
        pool.pairs().delete("p", false);
        byte[] bcv = fill(pool, "w", 9);
        pool.device("v").flush();
        pool.device("w").flush();
        return bcv;
    }

    private static void finish(Job restore) throws Exception {
        restore.setThrottle(0);
        assertThat(restore.await(30_000)).isTrue();
    }

    private static byte[] hostsRead(Pool pool, String volume) throws Exception {
        byte[] b = new byte[(int) pool.volume(volume).size()];
        pool.device(volume).read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Writes random bytes ({@code seed}) over the whole volume, as hosts write it; returns them. */
    private static byte[] fill(Pool pool, String volume, long seed) throws Exception {
        byte[] b = new byte[(int) pool.volume(volume).size()];
        new Random(seed).nextBytes(b);
        pool.device(volume).write(0, ByteBuffer.wrap(b));
        return b;
    }
}
