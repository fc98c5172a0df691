package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * Review 41. A ship whose sealed image fails its verification ("only a verified image lets the
 * entries go") must not leave that image in the store. Before 165bb46, JournalShipWork.stopped's
 * {@code writer.abandon()} was {@code close(); store.delete(id)}, and delete removed the sealed
 * image {@code images/<id>/}. Now abandon only removes {@code images/<id>.partial/} (gone since the
 * seal's rename): the unverified image stays, listed as the volume's newest image, so a 'backup
 * restore' without --at picks it.
 */
class ShipFailingVerifyLeavesNoImageTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aShipWhoseImageFailsVerificationLeavesNoImageBehind() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 3 * DRIVE, 0).await(60_000)).isTrue();
        }
        FaultInjector fi = new FaultInjector(StorageFactory.real());
        // reads of a sealed journal image's data fail: its verification after the seal fails
        fi.eio(p -> p.getFileName().toString().equals("data") && p.getParent() != null
                && p.getParent().getFileName().toString().endsWith("-journal"), FaultInjector.Op.READ,
                FaultInjector.Mode.FROM_NTH, 1, 1);
        try (Pool pool = Pool.open(dir, fi)) {
            pool.device("v").write(0, ByteBuffer.wrap(new byte[3 * TRACK]));
            pool.device("v").flush();
            Job ship = pool.journals().ship("v");
            assertThat(ship.await(60_000)).isTrue();
            assertThat(ship.state()).as("the ship's verification failed").isEqualTo(JobState.FAILED);
            assertThat(ship.progress().message()).contains("Input/output error (injected)");
        }
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        assertThat(s.unfinished()).isEmpty();
        assertThat(s.list()).extracting(ImageInfo::id).filteredOn(id -> id.endsWith("-journal"))
                .as("the unverified journal image is dropped").isEmpty();
    }
}
