package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A journal drive's replacement whose pool.json write fails (its file system full) changes nothing:
 * the drive stays FAILED in memory as in pool.json, its leg is not used, its old image is back, and
 * the same 'drive replace' works once there is room.
 */
class UnrecordedJournalLegTest {

    @TempDir
    Path tmp;

    /**
     * Before, the blank leg held the journal in memory (both legs healthy, the drive ONLINE) while
     * pool.json said FAILED: the journal's writes went to a leg the next opening does not open.
     */
    @Test
    void aJournalDriveWhoseReplacementCannotBeRecordedIsNotUsed() throws Exception {
        Path dir = tmp.resolve("p");
        List<String> legs = JournaledPools.journaled(dir, tmp.resolve("store"));
        String leg = legs.get(0);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj)) {
            pool.admin().failDrive(leg);
            pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(JournaledPools.TRACK, 0x61)));
            pool.device("v").flush();
            inj.diskFullAfter(UnrecordedAdminTest.CONFIG, 0);
            assertThatThrownBy(() -> pool.admin().replaceDrive(leg)).hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(pool.snapshot().drive(leg).state()).as("as pool.json has it").isEqualTo(DriveState.FAILED);
            assertThat(pool.journals().status("v").legsHealthy()).as("the blank leg is not used").containsExactly(false, true);
            try (Stream<Path> files = Files.list(dir.resolve("drives"))) {
                assertThat(files.map(f -> f.getFileName().toString())).as("the old image back, no replacement left aside")
                        .noneMatch(n -> n.startsWith(leg + ".img.replaced-"));
            }
            // the same replacement, given again once there is room, works
            assertThat(pool.admin().replaceDrive(leg)).isNull();
            assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.ONLINE);
            assertThat(pool.journals().status("v").legsHealthy()).containsExactly(true, true);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.ONLINE);
            assertThat(pool.journals().status("v").legsHealthy()).containsExactly(true, true);
        }
    }
}
