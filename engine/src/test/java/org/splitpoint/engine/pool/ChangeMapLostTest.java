package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A volume's changed-block map ({@code meta/v.cbt}) that cannot be written while hosts write: its
 * writes fail with EIO, or its forces do. Three host writers (each on its own tracks) and a flusher
 * go on without one error; the loss is on record in pool.json and said in an event; after a power
 * cut, the reopened pool's next incremental backup copies every track, so its chain is the volume
 * as the hosts left it (the file on disk never got the writes' marks). That backup takes the map
 * again: the record no longer says it is lost. Before, every host write to a track not yet marked
 * failed with the map's error, the volume OPTIMAL and nothing said.
 */
class ChangeMapLostTest {

    private static final int SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 24 : 4;

    @TempDir
    Path tmp;

    @Test
    void aMapWhoseWritesFailIsLostOnRecordAndNoHostWriteFails() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed, false);
        }
    }

    @Test
    void aMapWhoseForcesFailIsLostOnRecordAndNoHostWriteFails() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed, true);
        }
    }

    private void run(int seed, boolean forces) throws Exception {
        Random rnd = new Random(seed);
        Path dir = pool(tmp, "p" + seed + forces, seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5, seed % 2 == 0 ? 2 : 3);
        Path store = tmp.resolve("store" + seed + forces).toAbsolutePath();
        byte[] model;
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            model = new byte[(int) v.size()];
            rnd.nextBytes(model);
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            Job full = p.backups().backup("v", store, true, 0);
            full.start();
            assertThat(full.await(60_000)).isTrue();
            assertThat(full.state()).as("seed %d: %s", seed, full.progress().message()).isEqualTo(JobState.DONE);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        if (forces) {
            inj.failForces(f -> f.getFileName().toString().equals("v.cbt"), Long.MAX_VALUE);
        } else {
            inj.eio(f -> f.getFileName().toString().equals("v.cbt"), FaultInjector.Op.WRITE, FaultInjector.Mode.FROM_NTH,
                    1, seed);
        }
        List<org.splitpoint.engine.event.Event> said = java.util.Collections.synchronizedList(new ArrayList<>());
        Pool faulty = Pool.open(dir, inj, new PoolOptions(false));
        try {
            Pool p = faulty;
            p.events().addListener(said::add);
            RaidVolume v = p.volume("v");
            new OwnTrackWriters(v, model, TRACK, 20, seed).finish("seed " + seed);
            v.flush(); // every write durable on the volume before the power goes
            assertThat(p.backups().lastBackup("v").changeMapLost()).as("seed %d: on record", seed)
                    .contains("changed-block map of volume v could not mark a write");
            assertThat(p.problems()).as("seed %d: the pool's problems", seed).anySatisfy(m -> assertThat(m)
                    .startsWith("the changed-block map of volume v could not mark a write (")
                    .endsWith("; volume v's next incremental backup copies every track"));
            p.events().drain();
            assertThat(List.copyOf(said)).as("seed %d", seed).anySatisfy(e -> assertThat(e.message())
                    .contains("the write went ahead").contains("next incremental backup copies every track"));
        } finally {
            inj.crash(); // the map's file kept none of the marks: only pool.json tells
            faulty.abandon();
        }
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: the volume", seed).isNegative();
            assertThat(p.problems()).as("seed %d: said again after the reopen", seed).anySatisfy(m -> assertThat(m)
                    .endsWith("; volume v's next incremental backup copies every track"));
            Job inc = p.backups().backup("v", store, false, 0);
            inc.start();
            assertThat(inc.await(60_000)).isTrue();
            assertThat(inc.state()).as("seed %d: %s", seed, inc.progress().message()).isEqualTo(JobState.DONE);
            PoolConfig.BackupRecord last = p.backups().lastBackup("v");
            assertThat(last.changeMapLost()).as("seed %d: taken again by the backup", seed).isNull();
            assertThat(p.problems()).as("seed %d: no longer a problem", seed).noneMatch(m -> m.contains("changed-block"));
            assertThat(Arrays.mismatch(BackupTest.imageBytes(store, last.image()), model))
                    .as("seed %d: the incremental chain", seed).isNegative();
        }
    }

    /** A deleted volume whose map was lost stayed among the pool's problems until the pool was opened again. */
    @Test
    void aDeletedVolumesLostMapIsNoLongerAProblem() throws Exception {
        Path dir = pool(tmp, "deleted", Layout.RAID1, 2);
        try (Pool p = Pool.open(dir)) {
            Job full = p.backups().backup("v", tmp.resolve("store-deleted"), true, 0);
            full.start();
            assertThat(full.await(60_000)).isTrue();
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .eio(f -> f.getFileName().toString().equals("v.cbt"), FaultInjector.Op.WRITE, FaultInjector.Mode.FROM_NTH, 1, 1);
        try (Pool p = Pool.open(dir, inj, new PoolOptions(false))) {
            p.volume("v").write(0, ByteBuffer.wrap(new byte[4096]));
            assertThat(p.problems()).anySatisfy(m -> assertThat(m).contains("changed-block map of volume v"));
            p.admin().deleteVolume("v");
            assertThat(p.problems()).noneMatch(m -> m.contains("changed-block map"));
        }
    }
}
