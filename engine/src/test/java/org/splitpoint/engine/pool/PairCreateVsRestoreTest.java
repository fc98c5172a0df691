package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;

/**
 * A pair is not made of a volume being restored (from a backup, or to a snapshot): its establish
 * would be refused until the restore ends anyway, and the restore, which found the volume itself
 * below it when it began, would go on writing below the pair. The create is refused up front, in
 * the words an establish uses, and the rule the app asks ({@link PairRules#create}) says the
 * engine's sentence; once the restore ended the pair is made. The reverse stays allowed: a side of
 * a NeverEstab pair may be restored, the pair's establish waiting for that restore.
 */
class PairCreateVsRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aPairIsNotMadeOfAVolumeBeingRestoredFromABackup() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        Pool.create(dir, 4, 1 << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
        }
        BackedUp.volume(dir, store, 3, true);
        try (Pool pool = Pool.open(dir)) {
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK); // a track a second
            String sentence = "volume v (the STD of pair p) is being restored from a backup; wait for that restore or"
                    + " cancel it before creating the pair";
            assertThatThrownBy(() -> pool.pairs().create("p", "v", "w")).isInstanceOf(PoolException.class)
                    .hasMessage(sentence);
            assertThat(Refusal.sentenceOf(PairRules.create(pool.snapshot(), "p", "v", "w"))).isEqualTo(sentence);
            assertThat(pool.pairs().query(null)).as("nothing made").isEmpty();
            restore.setThrottle(0);
            assertThat(restore.await(30_000)).isTrue();
            assertThat(PairRules.create(pool.snapshot(), "p", "v", "w")).isNull();
            pool.pairs().create("p", "v", "w");
            assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.NeverEstab);
        }
    }

    @Test
    void aPairIsNotMadeWithABcvBeingRestoredToASnapshot() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("w", "s1");
            pool.device("w").write(0, ByteBuffer.allocate((int) pool.volume("w").size())); // every track changed since
            Job restore = pool.snapshots().restore("w", "s1", false, TRACK);
            String sentence = "volume w (the BCV of pair p) is being restored from a snapshot; wait for that restore or"
                    + " cancel it before creating the pair";
            assertThatThrownBy(() -> pool.pairs().create("p", "v", "w")).hasMessage(sentence);
            assertThat(Refusal.sentenceOf(PairRules.create(pool.snapshot(), "p", "v", "w"))).isEqualTo(sentence);
            restore.setThrottle(0);
            assertThat(restore.await(30_000)).isTrue();
            pool.pairs().create("p", "v", "w");
        }
    }

    @Test
    void aSideOfANeverEstablishedPairMayStillBeRestoredItsEstablishWaiting() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            pool.device("v").write(0, ByteBuffer.allocate((int) pool.volume("v").size()));
            pool.pairs().create("p", "v", "w");
            Job restore = pool.snapshots().restore("v", "s1", false, TRACK);
            assertThatThrownBy(() -> pool.pairs().establish("p", false)).hasMessage("volume v (the STD of pair p) is"
                    + " being restored from a snapshot; wait for that restore or cancel it before establishing");
            restore.setThrottle(0);
            assertThat(restore.await(30_000)).isTrue();
            assertThat(pool.pairs().establish("p", false).await(30_000)).isTrue();
        }
    }
}
