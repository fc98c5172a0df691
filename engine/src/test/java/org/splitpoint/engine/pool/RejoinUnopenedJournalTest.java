package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'drive replace' of a FAILED journal drive whose journal is not open in this opening (its record
 * there, the journal not attached). Before, JournalLife.rejoinLeg returned without a word: the
 * command said done, the drive stayed FAILED, a blank in its image's place and the old image set
 * aside. It is refused in one sentence now, the old image back. (The state is made by taking the
 * open journal out of the pool's map: the branch is a guard for a journal an opening left out.)
 */
class RejoinUnopenedJournalTest {

    @TempDir
    Path tmp;

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
