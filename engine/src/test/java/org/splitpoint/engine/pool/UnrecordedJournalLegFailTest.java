package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/** A journal drive failed by command or by the image check: on record before it is said done, its problem kept. */
class UnrecordedJournalLegFailTest {

    @TempDir
    Path tmp;

    /**
     * Before, 'drive fail' of a journal drive whose pool.json write failed (its file system full)
     * returned as done: the leg dropped and the drive FAILED in memory, ONLINE in pool.json, so the
     * next opening used it again and the administrator's decision was gone without a word.
     */
    @Test
    void aJournalDriveFailedByCommandThatCannotBeRecordedIsRefusedAndStaysInUse() throws Exception {
        Path dir = tmp.resolve("p");
        List<String> legs = JournaledPools.journaled(dir, tmp.resolve("store"));
        String leg = legs.get(0);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj)) {
            inj.diskFullAfter(UnrecordedAdminTest.CONFIG, 0);
            assertThatThrownBy(() -> pool.admin().failDrive(leg)).hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(pool.snapshot().drive(leg).state()).as("as pool.json has it").isEqualTo(DriveState.ONLINE);
            assertThat(pool.journals().status("v").legsHealthy()).as("its leg still used").containsExactly(true, true);
            pool.admin().failDrive(leg); // given again once there is room, it is done
            assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.FAILED);
            assertThat(pool.journals().status("v").legsHealthy()).containsExactly(false, true);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.FAILED);
        }
    }

    /**
     * Before, the image check's sentence ('the image of drive ... changed size') was put on the
     * drive and then cleared by the leg's failure, taken for one by command: the pool showed no
     * problem for a journal drive whose image had been cut short.
     */
    @Test
    void aJournalDriveFailedByTheImageCheckKeepsItsProblem() throws Exception {
        Path dir = tmp.resolve("q");
        List<String> legs = JournaledPools.journaled(dir, tmp.resolve("store"));
        String leg = legs.get(1);
        try (Pool pool = Pool.open(dir)) {
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("drives/" + leg + ".img").toFile(), "rw")) {
                f.setLength(f.length() / 2);
            }
            assertThat(DriveImageCheck.run(pool)).singleElement().asString().contains(leg, "changed size");
            assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.FAILED);
            assertThat(pool.snapshot().problems()).as("the pool's standing problems")
                    .anyMatch(s -> s.contains(leg) && s.contains("changed size"));
        }
    }
}
