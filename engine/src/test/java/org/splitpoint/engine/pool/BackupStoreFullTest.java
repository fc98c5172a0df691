package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A backup store that fills while hosts write: three host writers (each on its own tracks, writes
 * unaligned), a flusher, and the backup's copier on its own thread. Whoever
 * meets the full store first (the copier, or a host's copy-before-write), every host write and flush
 * succeeds and the backup fails; the volume holds every write, after a reopen too, and a backup
 * into a store with room then seals an image of exactly those bytes. Before, the host whose copy
 * met the full store got the store's ENOSPC for its write.
 */
class BackupStoreFullTest {

    private static final int SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 60 : 8;

    @TempDir
    Path tmp;

    @Test
    void aStoreThatFillsFailsTheBackupAndNoHostWrite() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed);
        }
    }

    private void run(int seed) throws Exception {
        Random rnd = new Random(seed);
        Path dir = pool(tmp, "p" + seed, seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5, seed % 2 == 0 ? 2 : 3);
        byte[] model;
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            model = new byte[(int) v.size()];
            rnd.nextBytes(model); // no all-zero track: a full image stores every one
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
        }
        int tracks = model.length / TRACK;
        Path store = tmp.resolve("store" + seed).toAbsolutePath();
        long room = (2 + rnd.nextInt(tracks / 2)) * (long) TRACK; // short of a full image, whatever the seed
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .diskFullAfter(f -> f.toAbsolutePath().startsWith(store), room);
        try (Pool p = Pool.open(dir, inj, new PoolOptions(false))) {
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0);
            OwnTrackWriters hosts = new OwnTrackWriters(v, model, TRACK, 40, seed);
            Thread.sleep(rnd.nextInt(5)); // some writes before the copier starts, some while it copies
            backup.start();
            assertThat(backup.await(60_000)).isTrue();
            hosts.stop();
            hosts.finish("seed " + seed);
            assertThat(backup.state()).as("seed %d: the backup into a store with room for %d B", seed, room)
                    .isEqualTo(JobState.FAILED);
            assertThat(backup.progress().message()).as("seed %d", seed).contains("No space left on device");
            v.flush();
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: the volume", seed).isNegative();
        }
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: after a reopen", seed).isNegative();
            Path roomy = tmp.resolve("roomy" + seed);
            Job again = p.backups().backup("v", roomy, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as("seed %d: %s", seed, again.progress().message()).isEqualTo(JobState.DONE);
            DirectoryStore s = DirectoryStore.open(roomy, StorageFactory.real(), false);
            ImageInfo info = s.list().get(0);
            try (ImageReader r = s.open(info.id())) {
                r.verify(null);
            }
            assertThat(Arrays.mismatch(BackupTest.imageBytes(roomy, info.id()), model)).as("seed %d: the image", seed)
                    .isNegative();
        }
        assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).as("seed %d: no image sealed in"
                + " the full store", seed).isEmpty();
    }
}
