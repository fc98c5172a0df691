package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A directory the engine makes is part of what it acknowledges: a backup store made by the first
 * backup into a directory that did not exist, a pool made in one. Its name lives in its parent, so
 * a power cut after the acknowledgement must not take it (the injector undoes a directory's creation,
 * with everything in it, unless its parent was synced since, as LazyFS drops unsynced names).
 * Several crash seeds each: which unsynced names survive is the seed's choice.
 */
class NewDirectoryCrashTest {

    private static final int TRACK = 4096;
    private static final int SEEDS = 8;

    @TempDir
    Path tmp;

    @Test
    void aFinishedFirstBackupIntoADirectoryThatDidNotExistSurvivesAPowerCut() throws Exception {
        Path template = TestPools.create(tmp.resolve("template"), Layout.RAID5, 3, 1 << 20, TRACK);
        for (int seed = 1; seed <= SEEDS; seed++) {
            Path run = tmp.resolve("run-" + seed);
            Path dir = run.resolve("pool");
            Path store = run.resolve("stores").resolve("nightly"); // neither directory exists yet
            TestPools.copyDir(template, dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool pool = Pool.open(dir, inj);
            byte[] written = new byte[(int) pool.volume("v").size()];
            new Random(seed).nextBytes(written);
            pool.device("v").write(0, ByteBuffer.wrap(written));
            Job backup = pool.backups().backup("v", store, true, 0);
            assertThat(backup.await(60_000)).isTrue();
            assertThat(backup.state()).isEqualTo(JobState.DONE);
            String image = pool.backups().lastBackup("v").image();
            inj.crash(); // the backup was acknowledged: whatever the cut keeps must hold it
            pool.abandon();
            try (Pool reopened = Pool.open(dir)) {
                assertThat(reopened.backups().lastBackup("v").image()).as("seed %d: the last backup", seed).isEqualTo(image);
                TestPools.assertSameBytes(BackupTest.imageBytes(store, image), written,
                        "seed " + seed + ": the image of the finished backup");
            }
            TestPools.deleteDir(run);
        }
    }

    @Test
    void aPoolMadeInADirectoryThatDidNotExistSurvivesAPowerCutWithItsWrites() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            Path run = tmp.resolve("run-" + seed);
            Path dir = run.resolve("pools").resolve("prod"); // neither directory exists yet
            FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool.create(dir, 3, 1 << 20, TRACK, inj);
            byte[] written;
            try (Pool pool = Pool.open(dir, inj)) {
                pool.admin().createVolume("v", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
                written = new byte[(int) pool.volume("v").size()];
                new Random(seed).nextBytes(written);
                pool.device("v").write(0, ByteBuffer.wrap(written));
                pool.device("v").flush();
            }
            inj.crash();
            try (Pool reopened = Pool.open(dir)) {
                TestPools.assertSameBytes(TestPools.readAll(reopened.volume("v")), written,
                        "seed " + seed + ": the volume's flushed bytes");
            }
            TestPools.deleteDir(run);
        }
    }
}
