package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
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
 * A host write's copy-before-write whose index record cannot be written (EIO on the image's index
 * file) failed that host write, so a backup store that filled or failed made the volume refuse
 * writes (seen as a flaky app test: a journal's base backup, retried into a full store, failed a
 * host's write). The write goes on now and the backup fails, saying why; the next backup seals an
 * image that verifies and holds the write, the failed put's bytes in no image's SHA-256.
 */
class BackupIndexFailureTest {

    @TempDir
    Path tmp;

    @Test
    void aCopyBeforeWriteThatFailsBreaksTheBackupNotTheHostWrite() throws Exception {
        Path dir = pool(tmp, "p", Layout.RAID5, 3);
        byte[] image;
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            image = new byte[(int) v.size()];
            new Random(7).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            v.flush();
        }
        Path store = tmp.resolve("store");
        // the first write to the image's index file fails (a transient EIO)
        FaultInjector inj = new FaultInjector(StorageFactory.real()).eio(
                f -> f.getFileName().toString().equals("index") && f.toString().contains(store.toString()),
                FaultInjector.Op.WRITE, FaultInjector.Mode.NTH, 1, 1);
        byte[] write = new byte[4096];
        new Random(8).nextBytes(write);
        System.arraycopy(write, 0, image, (int) (2L * TRACK + 100), write.length);
        try (Pool p = Pool.open(dir, inj, new PoolOptions(false))) {
            java.util.List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.addListener(events::add);
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0); // not started: the host write copies first
            v.write(2L * TRACK + 100, ByteBuffer.wrap(write)); // the copy's index write fails: the write goes on
            v.flush();
            byte[] back = new byte[write.length];
            v.read(2L * TRACK + 100, ByteBuffer.wrap(back));
            assertThat(back).isEqualTo(write);

            backup.start();
            assertThat(backup.await(60_000)).isTrue();
            assertThat(backup.state()).isEqualTo(JobState.FAILED);
            assertThat(backup.progress().message()).contains("a host's write to track 2 could not first copy the track's old bytes"
                    + " into the image").contains("the write went ahead");
            // the job's end is published by its thread just after the state it awaits (once in CI, asserted between)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    events.stream().map(org.splitpoint.engine.event.Event::message)).anyMatch(m -> m.startsWith(
                    "backup of v failed: a host's write to track 2") && m.endsWith("the tracks it was to copy stay"
                    + " marked for the next backup")));

            Job again = p.backups().backup("v", store, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).isEqualTo(JobState.DONE);
        }
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        assertThat(s.list()).as("the broken backup's image is gone").hasSize(1);
        ImageInfo info = s.list().get(0);
        try (ImageReader r = s.open(info.id())) {
            r.verify(null);
        }
        org.splitpoint.engine.TestPools.assertSameBytes(BackupTest.imageBytes(store, info.id()), image,
                "the image is the volume at the second backup's start, the write in it");
    }
}
