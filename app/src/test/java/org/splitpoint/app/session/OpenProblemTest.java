package org.splitpoint.app.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;

/** Why a pool did not open, in the app's words: what is wrong and what to do, never the CLI's wording. */
class OpenProblemTest {

    @TempDir
    Path tmp;

    private static String sentence(Path dir) {
        try (Pool p = Pool.open(dir)) {
            throw new AssertionError("opened " + dir);
        } catch (Exception e) {
            return OpenProblem.sentence(dir, e, StorageFactory.real());
        }
    }

    @Test
    void aMissingFolderIsNamedAsMissing() {
        Path gone = tmp.resolve("gone");
        assertThat(sentence(gone)).isEqualTo("The folder " + gone + " does not exist. Choose the folder of a pool"
                + " (the one holding pool.json), or make one with File → New pool….");
    }

    @Test
    void aFolderWithoutPoolJsonIsNotAPoolAndTheCliWordingIsGone() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        String s = sentence(photos);
        assertThat(s).isEqualTo(photos + " is not a Splitpoint pool: it has no pool.json. Choose the folder that"
                + " holds pool.json, or make a pool with File → New pool….");
        assertThat(s).doesNotContain("pool create");
    }

    @Test
    void aPoolHeldByAnotherOpenNamesTheHolder() throws Exception {
        Path dir = TestPools.demo(tmp);
        try (Pool holder = Pool.open(dir)) {
            String s = OpenProblem.sentence(dir, new PoolException("pool " + dir + " is already open in another process"),
                    StorageFactory.real());
            assertThat(s).startsWith("Pool " + dir + " is in use by another process (pid " + ProcessHandle.current().pid())
                    .endsWith("Close Splitpoint there, or stop its splitpoint serve, then open the pool again.");
        }
    }

    @Test
    void damagedMetadataGivesTheEnginesReasonOnce() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(dir.resolve("pool.json"), "not json");
        String s = sentence(dir);
        assertThat(s).startsWith("Splitpoint could not open pool " + dir + ": ");
        assertThat(s.substring(10)).doesNotContain("cannot open pool");
    }
}
