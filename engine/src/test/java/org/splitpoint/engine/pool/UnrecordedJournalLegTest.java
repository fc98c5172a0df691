package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
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
 * the same 'drive replace' works once there is room. So too a journal drive failed by command, and
 * one whose journal is not open; one failed by the image check keeps its problem.
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

    /**
     * 'drive replace' of a FAILED journal drive whose journal is not open in this opening (its record
     * there, the journal not attached). Before, JournalLife.rejoinLeg returned without a word: the
     * command said done, the drive stayed FAILED, a blank in its image's place and the old image set
     * aside. It is refused in one sentence now, the old image back. (The state is made by taking the
     * open journal out of the pool's map: the branch is a guard for a journal an opening left out.)
     */
    @Test
    void aJournalDriveWhoseJournalIsNotOpenIsNotReplacedQuietly() throws Exception {
        Path dir = tmp.resolve("p");
        List<String> legs = JournaledPools.journaled(dir, tmp.resolve("store"));
        String leg = legs.get(0);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive(leg);
            byte[] old = Files.readAllBytes(dir.resolve("drives/" + leg + ".img"));
            JournalAdmin.Open open = pool.journals.remove("v");
            try {
                assertThatThrownBy(() -> pool.admin().replaceDrive(leg)).hasMessageContaining("journal")
                        .hasMessageContaining(leg).hasMessageContaining("not open");
                assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.FAILED);
                assertThat(Files.readAllBytes(dir.resolve("drives/" + leg + ".img"))).as("its old image back").isEqualTo(old);
                try (Stream<Path> files = Files.list(dir.resolve("drives"))) {
                    assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(leg + ".img.replaced-"));
                }
            } finally {
                pool.journals.put("v", open);
            }
        }
    }
}
