package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * pool.json replaced but its directory's sync failing: the new pool.json shows, a power cut may take
 * it back, and the caller, told the write failed, took its decision back in memory (an added drive's
 * image deleted though the pool.json on disk names it). The opening stops as a crash there would
 * have: no file changed, no host write or flush taken, no pool.json written; the next opening decides
 * from what the disk holds.
 */
class UnsyncedPoolJsonTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aPoolWhosePoolJsonCannotBeSyncedTakesNothingMoreAndTheNextOpeningFindsItWhole() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 3, 4L << 20);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x11)));
            pool.device("v").flush();
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Path poolDir = dir.toAbsolutePath();
        try (Pool pool = Pool.open(dir, inj)) {
            inj.failDirectorySyncs(d -> d.equals(poolDir), 1);
            assertThatThrownBy(() -> pool.admin().addDrive(0)).hasMessageContaining("could not be synced")
                    .hasMessageContaining("close it and open it again");
            assertThat(Files.exists(dir.resolve("drives/d4.img"))).as("the image the shown pool.json names").isTrue();
            assertThatThrownBy(() -> pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22))))
                    .as("a host write after it").hasMessageContaining("takes no more writes");
            assertThatThrownBy(() -> pool.device("v").flush()).hasMessageContaining("takes no more writes");
            assertThatThrownBy(() -> pool.admin().addDrive(0)).as("the next decision").hasMessageContaining("takes no more writes");
            assertThat(pool.read("v", 0, TRACK)).as("reads go on").isEqualTo(TestPools.filled(TRACK, 0x11));
            assertThatThrownBy(pool::close).as("the close says so").hasMessageContaining("could not be synced");
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d4").state()).as("as the pool.json shown had it").isEqualTo(DriveState.SPARE);
            assertThat(pool.read("v", 0, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x11));
            pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            pool.device("v").flush();
        }
    }
}
