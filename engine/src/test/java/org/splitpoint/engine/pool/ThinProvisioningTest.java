package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives that can grow past the free space of their file system are said so, never refused. */
class ThinProvisioningTest {

    private static final long GIB = 1L << 30;
    private static final long TIB = 1L << 40;

    @Test
    void drivesThatCanGrowPastTheFreeSpaceAreSaidThin() {
        ThinProvisioning p = ThinProvisioning.newDrives(64, 64 * TIB, 77 * GIB);
        assertThat(p.thin()).isTrue();
        assertThat(p.sentence()).isEqualTo("64 drives × 64 TiB = 4 PiB of images on a file system with 77 GiB free:"
                + " the drives are thin; writes fail with 'no space' once 77 GiB are used");
    }

    @Test
    void drivesThatFitAreNotThinAndTheSentenceSaysTheFreeSpaceOnly() {
        ThinProvisioning p = ThinProvisioning.newDrives(6, 64L << 20, 77 * GIB);
        assertThat(p.thin()).isFalse();
        assertThat(p.sentence()).isEqualTo("6 drives × 64 MiB = 384 MiB of images on a file system with 77 GiB free");
        assertThat(ThinProvisioning.newDrives(1, 77 * GIB, 77 * GIB).thin()).as("exactly the free space").isFalse();
        assertThat(ThinProvisioning.newDrives(1, 64L << 20, 77 * GIB).sentence()).isEqualTo("1 drive image of 64 MiB on a file system with 77 GiB free");
    }

    @Test
    void anUnknownFreeSpaceIsNeverCalledThin() {
        ThinProvisioning p = ThinProvisioning.newDrives(2, 64 * TIB, -1);
        assertThat(p.thin()).isFalse();
        assertThat(p.sentence()).isEqualTo("2 drives × 64 TiB = 128 TiB of images (the file system's free space could not be read)");
    }

    @Test
    void aTotalBeyondALongSaturatesInsteadOfWrappingToSmall() {
        assertThat(ThinProvisioning.newDrives(Integer.MAX_VALUE, 64 * TIB, 77 * GIB).thin()).isTrue();
    }

    @Test
    void aNewPoolsDirectoryIsAskedThroughItsNearestParent(@TempDir Path dir) {
        long free = ThinProvisioning.freeSpace(dir.resolve("not/made/yet"));
        assertThat(free).isPositive();
        assertThat(free).isCloseTo(ThinProvisioning.freeSpace(dir), org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void aPoolsLineSaysItsTotalAndTheFreeSpace(@TempDir Path dir) throws Exception {
        Path pool = dir.resolve("p");
        Pool.create(pool, 3, 1L << 20, 65536, org.splitpoint.engine.io.StorageFactory.real());
        try (Pool p = Pool.open(pool, org.splitpoint.engine.io.StorageFactory.real())) {
            p.admin().addDrive(2L << 20);
            ThinProvisioning t = ThinProvisioning.pool(p.snapshot(), 77 * GIB);
            assertThat(t.total()).isEqualTo(5L << 20);
            assertThat(t.provisionedLine()).isEqualTo("provisioned 5 MiB in 4 drives; 77 GiB free on the pool's file system");
            assertThat(t.sentence()).isEqualTo("4 drives, 5 MiB of images on a file system with 77 GiB free");
        }
        assertThat(Files.exists(pool)).isTrue();
    }
}
